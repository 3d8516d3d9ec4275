using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// Rational-quadratic spline coupling for vectors (neural spline flows, Durkan et al. 2019): the dimensions the mask
/// passes feed an MLP that outputs a <see cref="RationalQuadraticSpline"/> for each other dimension; log|det J| is the
/// sum of the splines' log-derivatives. Starts as the identity.
/// </summary>
public sealed class SplineCoupling : FlowLayer
{
    private readonly Tensor mask;
    private readonly TorchSharp.torch.nn.Module<Tensor, Tensor> conditioner;
    private readonly int bins;
    private readonly double bound;

    public SplineCoupling(Tensor mask, int hidden, int hiddenLayers, int bins, double bound) : base("spline_coupling")
    {
        this.mask = mask.detach().clone().DetachFromDisposeScope();
        this.bins = bins;
        this.bound = bound;
        int d = (int)mask.shape[1];
        conditioner = Conditioners.Mlp(d, hidden, hiddenLayers, d * RationalQuadraticSpline.ParametersPerDimension(bins));
        RegisterComponents();
    }

    private (Tensor Y, Tensor LogDet) Transform(Tensor x, bool inverse)
    {
        var passed = x * mask;
        var parameters = conditioner.call(passed).reshape(x.shape[0], x.shape[1], RationalQuadraticSpline.ParametersPerDimension(bins));
        var (y, logDerivative) = RationalQuadraticSpline.Apply(x, parameters, bins, bound, inverse);
        var free = 1 - mask;
        return (passed + free * y, (free * logDerivative).sum(1));
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x) => Transform(x, inverse: false);

    public override Tensor Inverse(Tensor z) => Transform(z, inverse: true).Y;
}
