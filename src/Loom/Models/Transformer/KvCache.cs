using Loom.Core;
using Loom.Models.Language;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// Preallocated keys and values of every layer, [B, kv heads, capacity, head dim] each, filled left to right. A step
/// writes its new keys/values into the next free slots and attends over the filled prefix, so no tensor grows or is
/// concatenated while generating. Rows can be spliced in, moved and trimmed for continuous batching
/// (<see cref="ISpliceableDecoderState"/>): a forward pass then runs on the first <see cref="ActiveRows"/> rows. It rewinds
/// (<see cref="IRewindableDecoderState"/>) by lowering its length, for speculative decoding's rollback.
/// </summary>
public sealed class KvCache : ISpliceableDecoderState, IRewindableDecoderState
{
    private Tensor[] keys;
    private Tensor[] values;

    public KvCache(int layers, int batch, int kvHeads, int capacity, int headDim, ScalarType dtype, Device device)
    {
        Capacity = capacity;
        RowCapacity = ActiveRows = batch;
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
    public int RowCapacity { get; private set; }
    public int ActiveRows { get; private set; }

    /// <summary>Writes layer <paramref name="layer"/>'s new keys/values [B, kv, T, hd] after the filled prefix; returns the filled
    /// views.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        long t = k.shape[2];
        if (Length + t > Capacity)
            throw new LoomUsageException(
                $"KV cache: {Length} + {t} tokens exceed its capacity of {Capacity}; ask for fewer new tokens or a shorter prompt");
        if (k.shape[0] != ActiveRows)
            throw new LoomUsageException($"KV cache: a forward pass over {k.shape[0]} rows, but {ActiveRows} rows are in use");
        var (layerKeys, layerValues) = ActiveRows == RowCapacity
            ? (keys[layer], values[layer])
            : (keys[layer].narrow(0, 0, ActiveRows), values[layer].narrow(0, 0, ActiveRows));
        using (torch.no_grad())
        {
            layerKeys.narrow(2, Length, t).copy_(k);
            layerValues.narrow(2, Length, t).copy_(v);
        }
        return (layerKeys.narrow(2, 0, Length + t), layerValues.narrow(2, 0, Length + t));
    }

    /// <summary>Layer <paramref name="layer"/>'s whole key and value tensors [rows, kv heads, capacity, head dim], for
    /// kernels that write the next slot in place (<see cref="FusedDecode.Gpt2FusedDecode"/>).</summary>
    internal (Tensor Keys, Tensor Values) LayerStorage(int layer) => (keys[layer], values[layer]);

    /// <summary>Marks <paramref name="count"/> more slots as filled (after every layer has appended them).</summary>
    public void Advance(int count) => Length += count;

    public void Rewind(int length)
    {
        if (length < 0 || length > Length)
            throw new LoomUsageException($"KV cache: cannot rewind to {length} tokens; it holds {Length}");
        Length = length;
    }

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
        RowCapacity = ActiveRows = (int)rows.shape[0];
    }

    public void UseRows(int rows)
    {
        if (rows < 0 || rows > RowCapacity)
            throw new LoomUsageException($"KV cache: {rows} rows in use, but it has room for {RowCapacity}");
        ActiveRows = rows;
    }

    public void SpliceRow(int row, IDecoderState source, int sourceRow, int tokens)
    {
        if (source is not KvCache from || from.keys.Length != keys.Length)
            throw new LoomUsageException($"KV cache: cannot splice a row of a {source.GetType().Name} of another shape");
        if (row < 0 || row >= RowCapacity || sourceRow < 0 || sourceRow >= from.RowCapacity
            || tokens < 0 || tokens > Length || tokens > from.Length)
            throw new LoomUsageException($"KV cache: cannot copy {tokens} tokens of row {sourceRow} (of {from.RowCapacity}, length "
                + $"{from.Length}) into row {row} (of {RowCapacity}, length {Length})");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i].narrow(0, row, 1).narrow(2, Length - tokens, tokens)
                .copy_(from.keys[i].narrow(0, sourceRow, 1).narrow(2, from.Length - tokens, tokens));
            values[i].narrow(0, row, 1).narrow(2, Length - tokens, tokens)
                .copy_(from.values[i].narrow(0, sourceRow, 1).narrow(2, from.Length - tokens, tokens));
        }
    }

    public void DropLeadingColumns(int count)
    {
        if (count < 0 || count > Length)
            throw new LoomUsageException($"KV cache: cannot drop {count} of its {Length} filled columns");
        ShiftColumns(count, 0, Length - count);
        Length -= count;
    }

    public void PadLeft(int count)
    {
        if (count < 0 || Length + count > Capacity)
            throw new LoomUsageException($"KV cache: {Length} + {count} padding columns exceed its capacity of {Capacity}");
        ShiftColumns(0, count, Length);
        Length += count;
    }

    /// <summary>Moves <paramref name="count"/> columns of every row from column <paramref name="from"/> to <paramref name="to"/>
    /// (through a copy, since the ranges may overlap).</summary>
    private void ShiftColumns(int from, int to, int count)
    {
        if (count == 0 || from == to) return;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var t in keys.Concat(values))
            t.narrow(2, to, count).copy_(t.narrow(2, from, count).clone());
    }

    public void Dispose()
    {
        foreach (var t in keys.Concat(values)) t.Dispose();
        keys = [];
        values = [];
    }
}
