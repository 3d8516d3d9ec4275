using Loom.Core;
using Loom.Models.Language;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Recurrent;

/// <summary>
/// The hidden state [layers, B, hidden] (and the LSTM cell state) carried between decoding steps. Rows can be spliced in
/// and moved for continuous batching (<see cref="ISpliceableDecoderState"/>); it holds no columns, so padding and
/// dropping columns only count: <see cref="Capacity"/> is the length it was created for, which bounds that count.
/// </summary>
public sealed class RecurrentState : ISpliceableDecoderState
{
    public RecurrentState(Tensor hidden, Tensor? cell, int capacity = int.MaxValue)
    {
        Hidden = hidden.DetachFromDisposeScope();
        Cell = cell?.DetachFromDisposeScope();
        RowCapacity = (int)hidden.shape[1];
        Capacity = capacity;
    }

    /// <summary>[layers, <see cref="ActiveRows"/>, hidden].</summary>
    public Tensor Hidden { get; private set; }
    public Tensor? Cell { get; private set; }
    public int Length { get; private set; }
    public int RowCapacity { get; private set; }
    public int Capacity { get; }
    public int ActiveRows => (int)Hidden.shape[1];

    /// <summary>Replaces the state after <paramref name="steps"/> more tokens.</summary>
    public void Update(Tensor hidden, Tensor? cell, int steps)
    {
        var h = hidden.detach().clone().DetachFromDisposeScope();
        var c = cell?.detach().clone().DetachFromDisposeScope();
        Hidden.Dispose();
        Cell?.Dispose();
        Hidden = h;
        Cell = c;
        Length += steps;
    }

    public void Reorder(Tensor rows)
    {
        using var scope = torch.NewDisposeScope();
        var index = rows.to(Hidden.device);
        var h = Hidden.index_select(1, index);
        var c = Cell?.index_select(1, index);
        Update(h, c, 0);
        RowCapacity = ActiveRows;
    }

    /// <summary>Keeps the first rows and adds zero rows (a fresh state) up to <paramref name="rows"/>.</summary>
    public void UseRows(int rows)
    {
        if (rows < 0 || rows > RowCapacity)
            throw new LoomUsageException($"recurrent state: {rows} rows in use, but it has room for {RowCapacity}");
        if (rows == ActiveRows) return;
        using var scope = torch.NewDisposeScope();
        Update(Resize(Hidden, rows), Cell is null ? null : Resize(Cell, rows), 0);
    }

    public void SpliceRow(int row, IDecoderState source, int sourceRow, int tokens)
    {
        if (source is not RecurrentState from || (from.Cell is null) != (Cell is null))
            throw new LoomUsageException($"recurrent state: cannot splice a row of a {source.GetType().Name} of another shape");
        if (row < 0 || row >= ActiveRows || sourceRow < 0 || sourceRow >= from.ActiveRows || tokens < 0 || tokens > Length)
            throw new LoomUsageException($"recurrent state: cannot copy row {sourceRow} (of {from.ActiveRows}) into row {row} "
                + $"(of {ActiveRows} in use) as {tokens} tokens of {Length}");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Hidden.narrow(1, row, 1).copy_(from.Hidden.narrow(1, sourceRow, 1));
        Cell?.narrow(1, row, 1).copy_(from.Cell!.narrow(1, sourceRow, 1));
    }

    public void DropLeadingColumns(int count)
    {
        if (count < 0 || count > Length)
            throw new LoomUsageException($"recurrent state: cannot drop {count} of its {Length} columns");
        Length -= count;
    }

    public void PadLeft(int count)
    {
        if (count < 0 || (long)Length + count > Capacity)
            throw new LoomUsageException($"recurrent state: {Length} + {count} padding columns exceed its capacity of {Capacity}");
        Length += count;
    }

    public void Dispose()
    {
        Hidden.Dispose();
        Cell?.Dispose();
    }

    private static Tensor Resize(Tensor state, int rows)
    {
        int kept = Math.Min(rows, (int)state.shape[1]);
        var resized = torch.zeros(state.shape[0], rows, state.shape[2], state.dtype, state.device);
        resized.narrow(1, 0, kept).copy_(state.narrow(1, 0, kept));
        return resized;
    }
}
