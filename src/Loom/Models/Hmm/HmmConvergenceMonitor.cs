namespace Loom.Models.Hmm;

/// <summary>
/// Tracks Baum-Welch log-likelihoods. EM stops when the gain of an iteration falls below <see cref="Tol"/>
/// (<see cref="Converged"/>), after <see cref="MaxIter"/> iterations, or when the log-likelihood drops by more than
/// numerical noise (<see cref="Decreased"/>; exact EM never decreases it, so that signals a numerical problem such as
/// a too-small min_covar).
/// </summary>
public sealed class HmmConvergenceMonitor
{
    private readonly List<double> history = new();

    public HmmConvergenceMonitor(double tol, int maxIter)
    {
        Tol = tol;
        MaxIter = maxIter;
    }

    public double Tol { get; }

    public int MaxIter { get; }

    /// <summary>Total log-likelihood (nats) of the training sequences at the start of each iteration.</summary>
    public IReadOnlyList<double> History => history;

    public int Iterations => history.Count;

    public bool Converged { get; private set; }

    public bool Decreased { get; private set; }

    /// <summary>Gain of the last iteration (NaN before the second).</summary>
    public double LastGain => history.Count < 2 ? double.NaN : history[^1] - history[^2];

    /// <summary>A decrease smaller than this is rounding noise.</summary>
    public static double Noise(double logLik) => 1e-8 + 1e-10 * Math.Abs(logLik);

    /// <summary>Records one log-likelihood; returns true when EM should stop.</summary>
    public bool Report(double logLik)
    {
        history.Add(logLik);
        if (history.Count >= 2)
        {
            double gain = LastGain;
            if (double.IsNaN(logLik) || gain < -Noise(history[^2]))
            {
                Decreased = true;
                return true;
            }
            if (Tol > 0 && gain < Tol)
            {
                Converged = true;
                return true;
            }
        }
        return history.Count >= MaxIter;
    }
}

/// <summary>One Baum-Welch iteration's report: the log-likelihood (nats, summed over sequences) before its M-step.</summary>
public sealed record HmmEmProgress(int Iteration, double LogLikelihood, double Gain, bool Converged);
