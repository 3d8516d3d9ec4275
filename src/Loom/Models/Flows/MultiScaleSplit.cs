using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// RealNVP's multi-scale architecture: the first half of the channels of [n, c, h, w] is factored out here (it goes to
/// the Gaussian prior as it is), the second half continues through the inner flow, a flow that ends flat
/// ([n, D′]). The output is flat: [n, (c/2)·h·w + D′], the factored half first.
/// </summary>
public sealed class MultiScaleSplit : FlowLayer
{
    private readonly FlowLayer inner;
    private readonly long kept;
    private readonly long height;
    private readonly long width;

    public MultiScaleSplit(FlowLayer inner, int channels, int height, int width) : base("multiscale_split")
    {
        this.inner = inner;
        kept = channels / 2;
        this.height = height;
        this.width = width;
        RegisterComponents();
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var factored = x.narrow(1, 0, kept);
        var (z, logDet) = inner.Forward(x.narrow(1, kept, x.shape[1] - kept));
        return (torch.cat([factored.flatten(1), z], 1), logDet);
    }

    public override Tensor Inverse(Tensor z)
    {
        long size = kept * height * width;
        var factored = z.narrow(1, 0, size).reshape(z.shape[0], kept, height, width);
        var rest = inner.Inverse(z.narrow(1, size, z.shape[1] - size));
        return torch.cat([factored, rest], 1);
    }
}
