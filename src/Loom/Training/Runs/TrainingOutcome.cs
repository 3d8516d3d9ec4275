using Loom.Models;

namespace Loom.Training.Runs;

/// <summary>
/// What a finished (or interrupted) run produced: the trained model (the caller owns and disposes it), the metrics
/// written to card.json, and the files it wrote besides the checkpoint.
/// </summary>
/// <param name="Model">The trained model, as saved.</param>
/// <param name="Metrics">The card's metrics (steps, losses, held-out scores).</param>
/// <param name="Interrupted">True when cancellation stopped the run early; resume continues it.</param>
/// <param name="Files">Extra files written (plots, previews), full paths.</param>
public sealed record TrainingOutcome(IGenerativeModel Model, IReadOnlyDictionary<string, double> Metrics, bool Interrupted,
    IReadOnlyList<string> Files) : IDisposable
{
    public void Dispose() => Model.Dispose();
}
