using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// A fixed affine map z = (x − mean) / std with the training data's statistics (saved as buffers), so a vector flow sees
/// unit-scale data whatever the CSV's units; log|det J| = −Σ log std.
/// </summary>
public sealed class Standardize : FlowLayer
{
    private readonly Tensor mean;
    private readonly Tensor std;

    public Standardize(int dimensions) : base("standardize")
    {
        mean = torch.zeros(1, dimensions).DetachFromDisposeScope();
        std = torch.ones(1, dimensions).DetachFromDisposeScope();
        RegisterComponents();
    }

    /// <summary>Sets the statistics from data [n, d] (a constant column keeps std 1).</summary>
    public void Fit(Tensor data)
    {
        using var noGrad = no_grad();
        var spread = data.std(0, keepdim: true);
        mean.copy_(data.mean([0], keepdim: true));
        std.copy_(torch.where(spread > 1e-12, spread, torch.ones_like(spread)));
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x) =>
        ((x - mean) / std, (-std.log().sum()).expand(x.shape[0]));

    public override Tensor Inverse(Tensor z) => z * std + mean;
}
