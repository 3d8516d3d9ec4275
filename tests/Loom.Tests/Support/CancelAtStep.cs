using Loom.Training;

namespace Loom.Tests.Support;

/// <summary>
/// Cancels a run once the trainer reports step <paramref name="last"/> or later (as Ctrl-C would); reports come at log steps.
/// </summary>
internal sealed class CancelAtStep(long last, CancellationTokenSource stop) : ITrainingProgress
{
    public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta)
    {
        if (step >= last)
            stop.Cancel();
    }
}
