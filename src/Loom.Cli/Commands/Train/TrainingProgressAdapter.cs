using Loom.Training;

namespace Loom.Cli.Commands.Train;

/// <summary>Shows training progress on the console bar: the loss when the run has one, the rate when it is known.</summary>
public sealed class TrainingProgressAdapter(ConsoleProgress progress) : ITrainingProgress
{
    public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta)
    {
        var parts = new List<string>(2);
        if (double.IsFinite(loss)) parts.Add($"loss {loss:F4}");
        if (examplesPerSecond > 0) parts.Add($"{examplesPerSecond:F0} ex/s");
        progress.Report(step, totalSteps, string.Join(' ', parts), eta);
    }
}
