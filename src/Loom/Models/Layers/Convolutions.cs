using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Layers;

/// <summary>
/// 2-D convolutions that avoid three wrong-result bugs in the oneDNN CPU kernels of the libtorch 2.10 that
/// TorchSharp 0.107 ships (float32; docs/architecture.md, "Numerics you can trust"):
/// <list type="bullet">
/// <item>conv2d's input gradient is wrong when the output channel count is not a multiple of the kernel's channel
/// block (16 with AVX-512, 8 with AVX2): 12–67% off in summed magnitude, NaN when memory it never wrote holds NaN
/// bits. Reproduced in a C program with no .NET (<c>bench/repro</c>).</item>
/// <item>conv2d's forward output is wrong when the input channel count is above 16 and not a multiple of 16
/// (17–31, 33–47, …): off by up to ~0.6 for unit-variance inputs, NaN when the memory it reads holds NaN bits.</item>
/// <item>conv_transpose2d's input gradient (a conv2d forward over its output channels) is wrong when the output
/// channel count is above 16 and not a multiple of 16.</item>
/// </list>
/// Each case is avoided by padding with zero channels to the next multiple of 16 and cutting the extra channels off
/// again: the padded kernels are the correct ones, and the result and every gradient are those of the unpadded
/// convolution. Other shapes, dtypes and devices call libtorch directly.
/// </summary>
public static class Convolutions
{
    /// <summary>Channel counts are padded to a multiple of this (oneDNN's widest channel block).</summary>
    public const int ChannelBlock = 16;

    static Convolutions() => Core.TorchNumerics.SilenceNnpack();

    /// <summary><c>conv2d(input, weight, bias)</c> with <paramref name="weight"/> [out, in, kh, kw] and groups = 1.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[]? dilation = null)
    {
        dilation ??= [1, 1];
        long outChannels = weight.shape[0], inChannels = weight.shape[1];
        bool padInputs = OnCpuInFloat32(input) && inChannels > ChannelBlock && inChannels % ChannelBlock != 0;
        bool padOutputs = outChannels % ChannelBlock != 0 && NeedsInputGradient(input);
        if (!padInputs && !padOutputs)
            return nn.functional.conv2d(input, weight, bias, stride, padding, dilation);
        using var scope = torch.NewDisposeScope();
        if (padInputs)
        {
            input = ZeroPadChannels(input, 1);
            weight = ZeroPadChannels(weight, 1);
        }
        if (padOutputs)
        {
            weight = ZeroPadChannels(weight, 0);
            bias = bias is null ? null : ZeroPadChannels(bias, 0);
        }
        var output = nn.functional.conv2d(input, weight, bias, stride, padding, dilation);
        return (padOutputs ? output.narrow(1, 0, outChannels) : output).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>conv_transpose2d(input, weight, bias)</c> with <paramref name="weight"/> [in, out, kh, kw], groups = 1 and
    /// dilation 1.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] outputPadding)
    {
        long outChannels = weight.shape[1];
        bool padOutputs = outChannels > ChannelBlock && outChannels % ChannelBlock != 0 && NeedsInputGradient(input);
        if (!padOutputs)
            return nn.functional.conv_transpose2d(input, weight, bias, stride, padding, outputPadding);
        using var scope = torch.NewDisposeScope();
        var paddedBias = bias is null ? null : ZeroPadChannels(bias, 0);
        var output = nn.functional.conv_transpose2d(input, ZeroPadChannels(weight, 1), paddedBias, stride, padding, outputPadding);
        return output.narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="tensor"/> with zeros appended along <paramref name="dim"/> up to a multiple of 16.</summary>
    private static Tensor ZeroPadChannels(Tensor tensor, int dim)
    {
        long extra = (ChannelBlock - tensor.shape[dim] % ChannelBlock) % ChannelBlock;
        var shape = tensor.shape.ToArray();
        shape[dim] = extra;
        return torch.cat([tensor, torch.zeros(shape, tensor.dtype, tensor.device)], dim);
    }

    private static bool OnCpuInFloat32(Tensor input) => input.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32;

    private static bool NeedsInputGradient(Tensor input) => input.requires_grad && torch.is_grad_enabled() && OnCpuInFloat32(input);
}
