using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// One or more tensors that share their first dimension (e.g. images and labels), indexed together by example
/// indices such as those of <see cref="BatchSampler"/>. The dataset does not own the tensors: the caller disposes them.
/// </summary>
public sealed class TensorDataset
{
    private readonly Tensor[] tensors;

    /// <summary>Wraps the tensors; they must all have the same, non-zero number of rows.</summary>
    public TensorDataset(params Tensor[] tensors)
    {
        if (tensors.Length == 0)
            throw new ArgumentException("a TensorDataset needs at least one tensor", nameof(tensors));
        foreach (var t in tensors)
            if (t.dim() == 0)
                throw new LoomDataException("a TensorDataset cannot hold a scalar tensor; it needs one row per example");
        long n = tensors[0].shape[0];
        for (int i = 1; i < tensors.Length; i++)
            if (tensors[i].shape[0] != n)
                throw new LoomDataException(
                    $"data tensors disagree on the number of examples: tensor 0 has {n}, tensor {i} has {tensors[i].shape[0]}");
        this.tensors = tensors;
        Count = n;
    }

    /// <summary>Number of examples.</summary>
    public long Count { get; }

    /// <summary>How many tensors are held.</summary>
    public int Width => tensors.Length;

    /// <summary>The rows at <paramref name="indices"/> (int64, any device) of every tensor, in order.</summary>
    public Tensor[] Get(Tensor indices)
    {
        var result = new Tensor[tensors.Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            if (indices.device_type == t.device_type && indices.device_index == t.device_index)
            {
                result[i] = t.index_select(0, indices);
                continue;
            }
            using var moved = indices.to(t.device);
            result[i] = t.index_select(0, moved);
        }
        return result;
    }

    /// <summary>The rows at <paramref name="indices"/> of every tensor, in order.</summary>
    public Tensor[] Get(long[] indices)
    {
        using var idx = torch.tensor(indices, ScalarType.Int64);
        return Get(idx);
    }

    /// <summary>The batch of step <paramref name="step"/> of <paramref name="sampler"/>.</summary>
    public Tensor[] Batch(BatchSampler sampler, long step)
    {
        if (sampler.Count != Count)
            throw new LoomDataException($"the batch sampler covers {sampler.Count} examples but the data set has {Count}");
        return Get(sampler.IndicesForStep(step));
    }
}
