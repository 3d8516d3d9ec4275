using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Quantization;

/// <summary>
/// One weight matrix [out, in] quantized, as saved: <see cref="Values"/> (int8 [out, in] for 8 bits; uint8 [out, in/2], two
/// uint4 per byte, for 4 bits), <see cref="Scales"/> (float32 [out] for 8 bits; [out, ⌈in/group⌉] for 4 bits) and, for 4
/// bits, <see cref="Zeros"/> (uint8 [out, ⌈in/group⌉], each 0…15). When the group size does not divide the inputs, each
/// row's last group is shorter (in mod group features). The weight it stands for is <see cref="Dequantize"/>:
/// 8-bit q·s; 4-bit (q − z)·s within each group, whose range [min(0, lowest), max(0, highest)] spans 15 steps.
/// Rounding to nearest puts every weight within half a step (s/2) of its
/// original, the step being its row's (8-bit) or group's (4-bit) scale.
/// </summary>
public sealed class QuantizedWeight : IDisposable
{
    private QuantizedWeight(Tensor values, Tensor scales, Tensor? zeros, long outputs, long inputs, QuantizationOptions options)
    {
        Values = values;
        Scales = scales;
        Zeros = zeros;
        Outputs = outputs;
        Inputs = inputs;
        Options = options;
    }

    public Tensor Values { get; }
    public Tensor Scales { get; }
    public Tensor? Zeros { get; }
    public long Outputs { get; }
    public long Inputs { get; }
    public QuantizationOptions Options { get; }

    /// <summary>Quantizes <paramref name="weight"/> [out, in] (float) with <paramref name="options"/>.</summary>
    public static QuantizedWeight Quantize(Tensor weight, QuantizationOptions options)
    {
        options.Validate();
        if (weight.dim() != 2 || !weight.is_floating_point())
            throw new LoomUsageException(
                $"quantize: a weight is a float matrix [out, in], not {weight.dtype}[{string.Join(", ", weight.shape)}]");
        long outputs = weight.shape[0], inputs = weight.shape[1];
        if (options.Bits == 4 && inputs % 2 != 0)
            throw new LoomUsageException($"quantize: 4 bits pack two weights per byte; a layer has {inputs} (odd) input features");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // Row-major [out, in] whatever the strides of the weight (a Conv1D's arrives transposed): elementwise results keep
        // their input's layout, and the stored values are read row by row (the fused decode step reads their memory directly).
        var w = weight.detach().to(ScalarType.Float32).contiguous();
        QuantizedWeight result;
        if (options.Bits == 8)
        {
            var scales = w.abs().amax([1]) / 127f;
            scales = torch.where(scales.gt(0), scales, torch.ones_like(scales));   // an all-zero row: any scale
            var q = (w / scales.unsqueeze(1)).round().clamp(-127, 127).to(ScalarType.Int8);
            result = new QuantizedWeight(q.MoveToOuterDisposeScope(), scales.MoveToOuterDisposeScope(), null, outputs, inputs, options);
        }
        else
        {
            int group = options.EffectiveGroupSize;
            long count = GroupCount(inputs, group);
            // A short last group is padded with zeros, which change nothing: every group's range holds 0 anyway.
            var groups = Padded(w, count * group).view(outputs, count, group);
            // The range always holds 0, so the zero point is an integer 0…15 and a constant group (all 100) is exact too.
            var low = groups.amin([2]).clamp_max(0);
            var high = groups.amax([2]).clamp_min(0);
            var scales = (high - low) / 15f;
            scales = torch.where(scales.gt(0), scales, torch.ones_like(scales));   // an all-zero group: any scale
            var zeros = (-low / scales).round().clamp(0, 15);
            var q = (groups / scales.unsqueeze(2) + zeros.unsqueeze(2)).round().clamp(0, 15);
            var packed = Int4Packing.Pack(q.view(outputs, count * group).narrow(1, 0, inputs).contiguous()).view(outputs, inputs / 2);
            result = new QuantizedWeight(packed.MoveToOuterDisposeScope(), scales.MoveToOuterDisposeScope(),
                zeros.to(ScalarType.Byte).MoveToOuterDisposeScope(), outputs, inputs, options);
        }
        return result;
    }

    /// <summary>
    /// Wraps saved tensors after checking their dtypes and shapes against a layer of <paramref name="outputs"/> ×
    /// <paramref name="inputs"/>; <paramref name="source"/> names the layer in errors (<see cref="LoomDataException"/>).
    /// </summary>
    public static QuantizedWeight FromTensors(Tensor values, Tensor scales, Tensor? zeros, long outputs, long inputs,
        QuantizationOptions options, string source)
    {
        options.Validate();
        bool eight = options.Bits == 8;
        long groups = eight ? 0 : GroupCount(inputs, options.EffectiveGroupSize);
        Require(source, "qweight", values, eight ? ScalarType.Int8 : ScalarType.Byte, eight ? [outputs, inputs] : [outputs, inputs / 2]);
        Require(source, "scales", scales, ScalarType.Float32, eight ? [outputs] : [outputs, groups]);
        if (!eight)
        {
            if (zeros is null) throw new LoomDataException($"{source}: a 4-bit layer needs its zeros");
            Require(source, "zeros", zeros, ScalarType.Byte, [outputs, groups]);
        }
        return new QuantizedWeight(values, scales, eight ? null : zeros, outputs, inputs, options);
    }

    /// <summary>The float32 weight [out, in] the quantized values stand for (a new tensor each call).</summary>
    public Tensor Dequantize()
    {
        using var scope = torch.NewDisposeScope();
        if (Options.Bits == 8)
            return (Values.to(ScalarType.Float32) * Scales.unsqueeze(1)).MoveToOuterDisposeScope();
        int group = Options.EffectiveGroupSize;
        long count = GroupCount(Inputs, group);
        var unpacked = Int4Packing.Unpack(Values, Outputs * Inputs).view(Outputs, Inputs).to(ScalarType.Float32);
        var q = Padded(unpacked, count * group).view(Outputs, count, group);
        var w = (q - Zeros!.to(ScalarType.Float32).unsqueeze(2)) * Scales.unsqueeze(2);
        return w.view(Outputs, count * group).narrow(1, 0, Inputs).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Groups per row for <paramref name="inputs"/> features in groups of <paramref name="group"/>; the last may be
    /// short.</summary>
    public static long GroupCount(long inputs, int group) => (inputs + group - 1) / group;

    /// <summary><paramref name="rows"/> [out, in] with zero columns appended up to <paramref name="width"/>.</summary>
    private static Tensor Padded(Tensor rows, long width) =>
        rows.shape[1] == width ? rows : nn.functional.pad(rows, [0, width - rows.shape[1]]);

    private static void Require(string source, string name, Tensor tensor, ScalarType dtype, long[] shape)
    {
        if (tensor.dtype != dtype || !tensor.shape.SequenceEqual(shape))
            throw new LoomDataException($"{source}.{name} is {tensor.dtype}[{string.Join(", ", tensor.shape)}]; a {dtype}"
                + $"[{string.Join(", ", shape)}] is needed");
    }

    public void Dispose()
    {
        Values.Dispose();
        Scales.Dispose();
        Zeros?.Dispose();
    }
}
