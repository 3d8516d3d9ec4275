using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>Layers applied in order (inverted in reverse order); the log-determinants add up.</summary>
public sealed class FlowSequence : FlowLayer
{
    private readonly ModuleList<FlowLayer> layers;

    public FlowSequence(IEnumerable<FlowLayer> steps) : base("flow_sequence")
    {
        layers = new ModuleList<FlowLayer>(steps.ToArray());
        RegisterComponents();
    }

    /// <summary>The layers, in the density direction.</summary>
    public IReadOnlyList<FlowLayer> Layers => layers.ToList();

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var total = NoVolumeChange(x);
        foreach (var layer in layers)
        {
            var (z, logDet) = layer.Forward(x);
            total = total + logDet;
            x = z;
        }
        return (x, total);
    }

    public override Tensor Inverse(Tensor z)
    {
        for (int i = layers.Count - 1; i >= 0; i--)
            z = layers[i].Inverse(z);
        return z;
    }
}
