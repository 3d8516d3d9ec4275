using static TorchSharp.torch;

namespace Loom.Training.Runs;

/// <summary>
/// Where and how a training run works — the part of starting a run that is not the family's recipe. The CLI, a server
/// or a user's program builds one; runs talk back only through <see cref="Progress"/> and <see cref="Messages"/>.
/// A record: derive a changed copy with <c>with { }</c>.
/// </summary>
public sealed record TrainingContext
{
    /// <summary>The checkpoint folder the run writes (created if missing).</summary>
    public required string OutputFolder { get; init; }

    /// <summary>Where tensors live; CPU by default.</summary>
    public Device Device { get; init; } = CPU;

    /// <summary>Continue the run saved in <see cref="OutputFolder"/> from its last checkpoint.</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Replace a checkpoint already in <see cref="OutputFolder"/> with a new run (its files are removed first). Without it
    /// a new run refuses a folder that holds one, so nobody's model is overwritten by mistake.
    /// </summary>
    public bool Overwrite { get; init; }

    /// <summary>Step-by-step progress of the optimizer (null: none).</summary>
    public ITrainingProgress? Progress { get; init; }

    /// <summary>One-line notes a person would want to see (model size, files written); null: none.</summary>
    public IProgress<string>? Messages { get; init; }

    /// <summary>How the run was started, recorded in card.json (e.g. the command line); null when not known.</summary>
    public string? Origin { get; init; }

    /// <summary>Cancelling stops after the current step and saves a checkpoint (the outcome says it was interrupted).</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Sends <paramref name="message"/> to <see cref="Messages"/>.</summary>
    public void Say(string message) => Messages?.Report(message);
}
