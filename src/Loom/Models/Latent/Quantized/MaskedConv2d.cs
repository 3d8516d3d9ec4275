using Loom.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Latent.Quantized;

/// <summary>
/// Which taps of a raster-order masked convolution are open. With the kernel centred on position (r, c), both types
/// see every row above and the positions to the left in the same row; <see cref="A"/> also hides the centre (the
/// first layer must not see the value it predicts), <see cref="B"/> shows it (later layers only carry information
/// about earlier positions, so their own position is safe).
/// </summary>
public enum MaskType
{
    A,
    B,
}

/// <summary>
/// A 2-D convolution (stride 1, "same" padding) whose kernel is multiplied by a fixed raster-order mask, so output
/// position i depends only on input positions before i (type A) or up to i (type B). Written as unfold + matmul rather
/// than libtorch's convolution: the maps it runs on are small (7×7 codes), and libtorch's CPU convolution in this build
/// intermittently returns NaN (docs/diffusion.md), which a causality check on gradients cannot tolerate.
/// The mask is a buffer rebuilt from (kernel, type); only <c>weight</c> and <c>bias</c> are learned.
/// </summary>
public sealed class MaskedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;   // [out, in, k, k]
    private readonly Parameter bias;     // [out]
    private readonly Tensor mask;        // [k, k], 1 = open tap

    public MaskedConv2d(int inChannels, int outChannels, int kernelSize, MaskType type) : base("masked_conv")
    {
        if (kernelSize < 1 || kernelSize % 2 == 0)
            throw new LoomUsageException($"masked convolution: the kernel size must be odd and positive, got {kernelSize}");
        if (type == MaskType.A && kernelSize == 1)
            throw new LoomUsageException("masked convolution: a 1×1 type-A mask would see nothing");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Type = type;
        // Uniform in ±1/√fan_in, the scale of torch's default convolution initialisation.
        double bound = 1.0 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        weight = nn.Parameter(torch.empty(outChannels, inChannels, kernelSize, kernelSize).uniform_(-bound, bound));
        bias = nn.Parameter(torch.empty(outChannels).uniform_(-bound, bound));
        mask = CreateMask(kernelSize, type).DetachFromDisposeScope();
        RegisterComponents();
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public MaskType Type { get; }
    /// <summary>Where the weights live.</summary>
    public Device Device => weight.device;

    /// <summary>The [k, k] float mask: 1 on rows above the centre, on the centre row left of the centre, and at the centre for type B.</summary>
    public static Tensor CreateMask(int kernelSize, MaskType type)
    {
        int center = kernelSize / 2;
        var values = new float[kernelSize * kernelSize];
        for (int r = 0; r < kernelSize; r++)
            for (int c = 0; c < kernelSize; c++)
                values[r * kernelSize + c] = r < center || (r == center && (c < center || (c == center && type == MaskType.B))) ? 1f : 0f;
        return torch.tensor(values, [kernelSize, kernelSize]);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        var columns = nn.functional.unfold(x, KernelSize, padding: KernelSize / 2);                 // [n, in·k·k, h·w]
        var kernel = (weight * mask).reshape(OutChannels, InChannels * KernelSize * KernelSize);    // [out, in·k·k]
        var output = kernel.matmul(columns) + bias.unsqueeze(1);                                  // [n, out, h·w]
        return output.reshape(n, OutChannels, h, w).MoveToOuterDisposeScope();
    }
}
