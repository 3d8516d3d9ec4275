using System.Diagnostics;

namespace Loom.Training.Runs;

/// <summary>
/// Reports a fit that does not run on the shared <see cref="Trainer"/> (EM, Baum-Welch, n-gram counting) to a run's
/// <see cref="ITrainingProgress"/>: iterations done of the most there can be, the fit's loss (NaN when it has none),
/// examples per second from the examples each iteration covers, and a time-left estimate from this object's clock.
/// </summary>
public sealed class IterationProgress(ITrainingProgress? progress, long examplesPerIteration)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public void Report(long done, long total, double loss)
    {
        if (progress is null)
            return;
        double seconds = clock.Elapsed.TotalSeconds;
        double rate = seconds > 0 ? done * (double)examplesPerIteration / seconds : 0;
        var eta = done > 0 && done < total ? TimeSpan.FromSeconds(seconds / done * (total - done)) : TimeSpan.Zero;
        progress.Report(done, total, loss, rate, eta);
    }

    /// <summary>An <see cref="IProgress{T}"/> for a fit's own reports (e.g. EM's) that forwards each here, on the calling thread.</summary>
    public IProgress<T> Of<T>(Func<T, (long Done, long Total, double Loss)> read) => new Forwarder<T>(this, read);

    private sealed class Forwarder<T>(IterationProgress target, Func<T, (long Done, long Total, double Loss)> read) : IProgress<T>
    {
        public void Report(T value)
        {
            var (done, total, loss) = read(value);
            target.Report(done, total, loss);
        }
    }
}
