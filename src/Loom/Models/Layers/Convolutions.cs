using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Layers;

/// <summary>
/// 2-D convolution that avoids a wrong-gradient bug in the oneDNN CPU kernels of the libtorch 2.10 that TorchSharp
/// 0.107 ships: when the output channel count is not a multiple of the kernel's channel block (16 with AVX-512, 8
/// with AVX2), oneDNN's backward-data kernel returns a wrong input gradient — 12–67% off in the summed magnitude for
/// the shapes measured, NaN when the memory it reads unwritten holds NaN bits (weight gradients and forward outputs are
/// right). Reproduced in a C program with no .NET (docs/architecture.md, "Numerics you can trust"). When the input
/// gradient will be needed (CPU, float32, input requiring grad), the weight is padded with zero output channels to
/// the next multiple of 16 and the extra channels are cut off again: the padded kernel is the correct one, and the
/// result and both gradients are those of the unpadded convolution. Otherwise libtorch is called directly.
/// </summary>
public static class Convolutions
{
    /// <summary>Output channels are padded to a multiple of this (oneDNN's widest channel block).</summary>
    public const int ChannelBlock = 16;

    static Convolutions() => Core.TorchNumerics.SilenceNnpack();

    /// <summary><c>conv2d(input, weight, bias)</c> with <paramref name="weight"/> [out, in, kh, kw] and groups = 1.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[]? dilation = null)
    {
        dilation ??= [1, 1];
        long outChannels = weight.shape[0];
        if (outChannels % ChannelBlock == 0 || !NeedsInputGradient(input))
            return nn.functional.conv2d(input, weight, bias, stride, padding, dilation);
        using var scope = torch.NewDisposeScope();
        long extra = ChannelBlock - outChannels % ChannelBlock;
        var paddedWeight = torch.cat([weight, torch.zeros([extra, .. weight.shape[1..]], weight.dtype, weight.device)], 0);
        var paddedBias = bias is null ? null : torch.cat([bias, torch.zeros([extra], bias.dtype, bias.device)], 0);
        var output = nn.functional.conv2d(input, paddedWeight, paddedBias, stride, padding, dilation);
        return output.narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }

    private static bool NeedsInputGradient(Tensor input) =>
        input.requires_grad && torch.is_grad_enabled() && input.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32;
}
