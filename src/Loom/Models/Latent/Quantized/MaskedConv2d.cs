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
/// A 2-D convolution (stride 1, "same" padding) restricted to the open taps of a fixed raster-order mask, so output
/// position i depends only on input positions before i (type A) or up to i (type B). Written as unfold + matmul over
/// the open taps only (about half the multiply-adds of a full kernel times a mask) rather than libtorch's convolution:
/// the maps it runs on are small (7×7 codes), and libtorch 2.10's oneDNN convolution is wrong for some channel counts
/// (docs/architecture.md, "Numerics you can trust"), which a causality check on gradients cannot tolerate. <c>weight</c> keeps the full
/// [out, in, k, k] shape; its closed taps are never read, so they get no gradient and stay at their initial values.
/// The tap index is a buffer rebuilt from (kernel, type).
/// </summary>
public sealed class MaskedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;   // [out, in, k, k]
    private readonly Parameter bias;     // [out]
    private readonly Tensor open_taps;   // [taps] int64 indices of the open taps in the flattened k×k kernel
    private readonly Tensor open_columns; // [in·taps] int64 rows of the unfolded input that belong to open taps

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
        // Detached from any dispose scope the caller has open: the module must outlive it.
        weight = nn.Parameter(torch.empty(outChannels, inChannels, kernelSize, kernelSize)
            .uniform_(-bound, bound).DetachFromDisposeScope());
        bias = nn.Parameter(torch.empty(outChannels).uniform_(-bound, bound).DetachFromDisposeScope());
        using (var scope = torch.NewDisposeScope())
        {
            open_taps = CreateMask(kernelSize, type).reshape(-1).nonzero().reshape(-1).DetachFromDisposeScope();
            // unfold lays its rows out channel-major: row = channel · k² + tap.
            var rows = torch.arange(inChannels, dtype: ScalarType.Int64).unsqueeze(1) * (kernelSize * kernelSize) + open_taps.unsqueeze(0);
            open_columns = rows.reshape(-1).DetachFromDisposeScope();
        }
        RegisterComponents();
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public MaskType Type { get; }
    /// <summary>Where the weights live.</summary>
    public Device Device => weight.device;

    /// <summary>The [k, k] float mask: 1 on rows above the centre, on the centre row left of the centre, and at the centre for type
    /// B.</summary>
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
        var columns = nn.functional.unfold(x, KernelSize, padding: KernelSize / 2).index_select(1, open_columns);   // [n, in·taps, h·w]
        var kernel = weight.reshape(OutChannels, InChannels, KernelSize * KernelSize).index_select(2, open_taps)
            .reshape(OutChannels, -1);                                                                                  // [out, in·taps]
        var output = kernel.matmul(columns) + bias.unsqueeze(1);                                                      // [n, out, h·w]
        return output.reshape(n, OutChannels, h, w).MoveToOuterDisposeScope();
    }
}
