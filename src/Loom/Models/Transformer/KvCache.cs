using Loom.Core;
using Loom.Models.Language;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// Preallocated keys and values of every layer, [B, kv heads, capacity, head dim] each, filled left to right. A step
/// writes its new keys/values into the next free slots and attends over the filled prefix, so no tensor grows or is
/// concatenated while generating.
/// </summary>
public sealed class KvCache : IDecoderState
{
    private Tensor[] keys;
    private Tensor[] values;

    public KvCache(int layers, int batch, int kvHeads, int capacity, int headDim, ScalarType dtype, Device device)
    {
        Capacity = capacity;
        keys = new Tensor[layers];
        values = new Tensor[layers];
        for (int i = 0; i < layers; i++)
        {
            keys[i] = torch.zeros([batch, kvHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
            values[i] = torch.zeros([batch, kvHeads, capacity, headDim], dtype, device).DetachFromDisposeScope();
        }
    }

    public int Capacity { get; }
    public int Length { get; private set; }

    /// <summary>Writes layer <paramref name="layer"/>'s new keys/values [B, kv, T, hd] after the filled prefix; returns the filled
    /// views.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        long t = k.shape[2];
        if (Length + t > Capacity)
            throw new LoomUsageException(
                $"KV cache: {Length} + {t} tokens exceed its capacity of {Capacity}; ask for fewer new tokens or a shorter prompt");
        using (torch.no_grad())
        {
            keys[layer].narrow(2, Length, t).copy_(k);
            values[layer].narrow(2, Length, t).copy_(v);
        }
        return (keys[layer].narrow(2, 0, Length + t), values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>Marks <paramref name="count"/> more slots as filled (after every layer has appended them).</summary>
    public void Advance(int count) => Length += count;

    public void Reorder(Tensor rows)
    {
        for (int i = 0; i < keys.Length; i++)
        {
            var index = rows.to(keys[i].device);
            var k = keys[i].index_select(0, index).DetachFromDisposeScope();
            var v = values[i].index_select(0, index).DetachFromDisposeScope();
            keys[i].Dispose();
            values[i].Dispose();
            keys[i] = k;
            values[i] = v;
        }
    }

    public void Dispose()
    {
        foreach (var t in keys.Concat(values)) t.Dispose();
        keys = [];
        values = [];
    }
}
