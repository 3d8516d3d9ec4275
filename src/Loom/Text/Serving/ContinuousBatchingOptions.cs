using Loom.Core;

namespace Loom.Text.Serving;

/// <summary>
/// How a <see cref="ContinuousBatchingEngine"/> batches: how many requests decode together and how many may wait.
/// A class rather than a record (C# forbids a member named <c>Clone</c> in records): call <see cref="Clone"/> before
/// changing options someone else may hold.
/// </summary>
public sealed class ContinuousBatchingOptions
{
    /// <summary>Most requests decoding together in one batch (rows of the shared KV cache / recurrent state), ≥ 1.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>Most requests waiting while every row is taken, ≥ 0 (requests the free rows will take wait too, until
    /// the next step boundary); one more throws <see cref="EngineQueueFullException"/>.</summary>
    public int QueueLimit { get; set; } = 256;

    /// <summary>Throws <see cref="LoomUsageException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (MaxBatchSize < 1)
            throw LoomUsageException.ForOption(nameof(MaxBatchSize), $"must be at least 1, got {MaxBatchSize}");
        if (QueueLimit < 0)
            throw LoomUsageException.ForOption(nameof(QueueLimit), $"must be 0 or more, got {QueueLimit}");
    }

    /// <summary>A copy: changing it leaves this instance alone.</summary>
    public ContinuousBatchingOptions Clone() => (ContinuousBatchingOptions)MemberwiseClone();
}
