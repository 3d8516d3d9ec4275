using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// The logit pre-transform of image flows (Dinh et al. 2017): x ∈ [0, 1] ↦ logit(α + (1 − 2α)·x), keeping the pixels
/// away from 0 and 1; log|det J| = Σ [log(1 − 2α) − log s − log(1 − s)] with s = α + (1 − 2α)·x, counted in the likelihood.
/// </summary>
public sealed class LogitTransform : FlowLayer
{
    private readonly double alpha;

    public LogitTransform(double alpha) : base("logit")
    {
        this.alpha = alpha;
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var s = alpha + (1 - 2 * alpha) * x;
        var logDet = Math.Log(1 - 2 * alpha) - s.log() - (1 - s).log();
        return (s.log() - (1 - s).log(), SumPerExample(logDet));
    }

    public override Tensor Inverse(Tensor z) => (torch.sigmoid(z) - alpha) / (1 - 2 * alpha);
}
