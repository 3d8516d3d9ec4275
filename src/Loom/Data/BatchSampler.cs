using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// Stateless mini-batch schedule over <c>count</c> examples: step s belongs to epoch s / <see cref="BatchesPerEpoch"/>,
/// and each epoch's order is a permutation drawn from <c>Seeding.Generator(seed, "epoch:" + epoch)</c> (or the identity
/// when not shuffling). The batch of any step is a pure function of (seed, step), so a run resumed at step s sees
/// exactly the batches an uninterrupted run would. With <c>dropLast</c> the final short batch of an epoch is skipped.
/// </summary>
public sealed class BatchSampler
{
    private long cachedEpoch = -1;
    private long[] cachedOrder = Array.Empty<long>();

    /// <summary>Creates the schedule; throws <see cref="LoomUsageException"/> when no full batch fits.</summary>
    public BatchSampler(long count, long batchSize, long seed, bool shuffle = true, bool dropLast = false)
    {
        if (count <= 0)
            throw new LoomDataException($"cannot batch {count} examples; the data set is empty");
        if (batchSize <= 0)
            throw LoomUsageException.ForOption(nameof(BatchSize), $"must be positive, got {batchSize}");
        if (dropLast && batchSize > count)
            throw LoomUsageException.ForOption(nameof(BatchSize),
                $"{batchSize} is larger than the {count} examples and the last partial batch is "
                + $"dropped, so no batch remains");
        Count = count;
        BatchSize = batchSize;
        Seed = seed;
        Shuffle = shuffle;
        DropLast = dropLast;
        BatchesPerEpoch = dropLast ? count / batchSize : (count + batchSize - 1) / batchSize;
    }

    /// <summary>Number of examples.</summary>
    public long Count { get; }

    /// <summary>Examples per batch (the last batch of an epoch may be smaller unless <see cref="DropLast"/>).</summary>
    public long BatchSize { get; }

    /// <summary>The seed the epoch permutations derive from.</summary>
    public long Seed { get; }

    /// <summary>Whether each epoch visits the examples in a fresh random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether the final short batch of each epoch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Steps per epoch.</summary>
    public long BatchesPerEpoch { get; }

    /// <summary>The epoch step <paramref name="step"/> falls in.</summary>
    public long EpochOf(long step) => step / BatchesPerEpoch;

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the examples.</summary>
    public long[] EpochOrder(long epoch)
    {
        if (epoch < 0)
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epochs start at 0");
        if (epoch == cachedEpoch)
            return cachedOrder;
        long[] order;
        if (Shuffle)
        {
            using var g = Seeding.Generator(Seed, "epoch:" + epoch);
            using var perm = torch.randperm(Count, generator: g);
            order = perm.data<long>().ToArray();
        }
        else
        {
            order = new long[Count];
            for (long i = 0; i < Count; i++)
                order[i] = i;
        }
        (cachedEpoch, cachedOrder) = (epoch, order);
        return order;
    }

    /// <summary>The example indices of global step <paramref name="step"/> (0-based).</summary>
    public long[] IndicesForStep(long step)
    {
        if (step < 0)
            throw new ArgumentOutOfRangeException(nameof(step), step, "steps start at 0");
        var order = EpochOrder(EpochOf(step));
        long start = step % BatchesPerEpoch * BatchSize;
        long length = Math.Min(BatchSize, Count - start);
        return order.AsSpan((int)start, (int)length).ToArray();
    }

    /// <summary>The indices of step <paramref name="step"/> as an int64 tensor on <paramref name="device"/> (CPU by default).</summary>
    public Tensor IndexTensorForStep(long step, Device? device = null)
    {
        var indices = torch.tensor(IndicesForStep(step), ScalarType.Int64);
        if (device is null || device.type == DeviceType.CPU)
            return indices;
        using (indices)
            return indices.to(device);
    }
}
