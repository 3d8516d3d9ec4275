using Loom.Models.Language;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Recurrent;

/// <summary>The hidden state [layers, B, hidden] (and the LSTM cell state) carried between decoding steps.</summary>
public sealed class RecurrentState : IDecoderState
{
    public RecurrentState(Tensor hidden, Tensor? cell)
    {
        Hidden = hidden.DetachFromDisposeScope();
        Cell = cell?.DetachFromDisposeScope();
    }

    public Tensor Hidden { get; private set; }
    public Tensor? Cell { get; private set; }
    public int Length { get; private set; }

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
    }

    public void Dispose()
    {
        Hidden.Dispose();
        Cell?.Dispose();
    }
}
