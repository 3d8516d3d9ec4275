using Loom.Core;

namespace Loom.Provenance;

/// <summary>
/// What Loom records about how an output was generated, written into the manifest as the
/// <c>org.loom.generation</c> assertion: the model's kind, the SHA-256 of its weights, the seed, the generation
/// parameters (name to value, as text) and the Loom version that generated it.
/// </summary>
public sealed record GenerationRecord(
    string ModelKind,
    string WeightsSha256,
    long? Seed,
    IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>The Loom version that generated the output; <see cref="LoomVersion.Current"/> unless read back.</summary>
    public string LoomVersion { get; init; } = Core.LoomVersion.Current;

    /// <summary>
    /// The record for output of the checkpoint in <paramref name="checkpoint"/>: its kind (config.json) and the SHA-256
    /// of its weights file (model.safetensors).
    /// </summary>
    public static GenerationRecord ForCheckpoint(string checkpoint, long? seed, IReadOnlyDictionary<string, string> parameters)
    {
        var (kind, _) = IO.Checkpoints.Checkpoint.ReadConfig(checkpoint);
        var weights = Path.Combine(checkpoint, IO.Checkpoints.Checkpoint.ModelFile);
        if (!File.Exists(weights)) throw new LoomDataException($"{weights}: weights file does not exist");
        return new GenerationRecord(kind, IO.FileHash.Sha256(weights), seed, parameters);
    }

    /// <summary>Throws a <see cref="LoomUsageException"/> naming the first field that cannot be written.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelKind))
            throw LoomUsageException.ForOption(nameof(ModelKind), "must name the model kind");
        if (WeightsSha256.Length != 64 || !WeightsSha256.All(Uri.IsHexDigit))
            throw LoomUsageException.ForOption(nameof(WeightsSha256), $"'{WeightsSha256}' is not a SHA-256 in hex (64 digits)");
        if (Parameters.Keys.Any(string.IsNullOrWhiteSpace))
            throw LoomUsageException.ForOption(nameof(Parameters), "a parameter name is empty");
    }
}
