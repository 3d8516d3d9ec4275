namespace Loom.Models;

/// <summary>
/// A family whose checkpoints load as text generators (<see cref="Text.Generation.ITextGenerationModel"/>: chat and completions),
/// known from the family alone, so a server can list what a model offers without loading its weights.
/// </summary>
public interface ITextModelFamily : IModelFamily
{
    /// <summary>Whether its models also give text embeddings (<see cref="AI.LoomEmbeddingGenerator"/>: a transformer's
    /// hidden states).</summary>
    bool Embeds { get; }
}
