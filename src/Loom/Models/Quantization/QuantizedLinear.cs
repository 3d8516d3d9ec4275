using Loom.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Quantization;

/// <summary>
/// A linear layer y = x Wᵀ + b whose weight is held quantized (<see cref="QuantizedWeight"/>): parameters <c>qweight</c>,
/// <c>scales</c>, <c>zeros</c> (4-bit only) and <c>bias</c> (float32, as the layer it replaces had it), none requiring
/// gradients. Each forward dequantizes the weight to a float32 [out, in] temporary and multiplies: memory at rest is the
/// quantized size, compute is float32 plus the dequantization. It stands in for an <c>nn.Linear</c> or for GPT-2's Conv1D
/// (whose [in, out] weight it stores transposed, as [out, in]).
/// </summary>
public sealed class QuantizedLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter qweight;
    private readonly Parameter scales;
    private readonly Parameter? zeros;
    private readonly Parameter? bias;

    private QuantizedLinear(QuantizedWeight weight, Tensor? bias) : base("QuantizedLinear")
    {
        Options = weight.Options;
        Inputs = weight.Inputs;
        Outputs = weight.Outputs;
        qweight = new Parameter(weight.Values, requires_grad: false);
        scales = new Parameter(weight.Scales, requires_grad: false);
        register_parameter("qweight", qweight);
        register_parameter("scales", scales);
        if (weight.Zeros is not null)
        {
            zeros = new Parameter(weight.Zeros, requires_grad: false);
            register_parameter("zeros", zeros);
        }
        if (bias is not null)
        {
            this.bias = new Parameter(bias, requires_grad: false);
            register_parameter("bias", this.bias);
        }
    }

    public QuantizationOptions Options { get; }
    public long Inputs { get; }
    public long Outputs { get; }
    public Tensor? Bias => bias;

    /// <summary>The stored values (int8 [out, in], or uint8 [out, in/2] for 4 bits), for kernels that read them directly.</summary>
    internal Tensor QuantizedValues => qweight;

    /// <summary>The stored scales (float32 [out], or [out, ⌈in/group⌉] for 4 bits).</summary>
    internal Tensor Scales => scales;

    /// <summary>The stored zero points (uint8 [out, ⌈in/group⌉]; 4 bits only).</summary>
    internal Tensor? ZeroPoints => zeros;

    /// <summary>Quantizes a float layer's weight [out, in] (copying its bias, if any).</summary>
    public static QuantizedLinear Quantize(Tensor weight, Tensor? bias, QuantizationOptions options)
    {
        using var noGrad = torch.no_grad();
        return new QuantizedLinear(QuantizedWeight.Quantize(weight, options), bias?.detach().to(ScalarType.Float32).clone());
    }

    /// <summary>
    /// A layer of <paramref name="outputs"/> × <paramref name="inputs"/> with zero-filled quantized tensors of the right
    /// dtypes and shapes, for a checkpoint's saved ones to be copied into.
    /// </summary>
    public static QuantizedLinear Empty(long inputs, long outputs, bool hasBias, QuantizationOptions options)
    {
        options.Validate();
        bool eight = options.Bits == 8;
        if (!eight && inputs % 2 != 0)
            throw new LoomDataException($"a 4-bit layer packs two weights per byte; this one has {inputs} (odd) input features");
        long groups = eight ? 0 : QuantizedWeight.GroupCount(inputs, options.EffectiveGroupSize);
        var weight = QuantizedWeight.FromTensors(
            eight ? torch.zeros(outputs, inputs, ScalarType.Int8) : torch.zeros(outputs, inputs / 2, ScalarType.Byte),
            eight ? torch.ones(outputs) : torch.ones(outputs, groups),
            eight ? null : torch.zeros(outputs, groups, ScalarType.Byte), outputs, inputs, options, "quantized layer");
        return new QuantizedLinear(weight, hasBias ? torch.zeros(outputs) : null);
    }

    /// <summary>The float32 weight [out, in] this layer computes with.</summary>
    public Tensor DequantizedWeight() =>
        QuantizedWeight.FromTensors(qweight, scales, zeros, Outputs, Inputs, Options, "quantized layer").Dequantize();

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var weight = DequantizedWeight().to(x.dtype);
        return nn.functional.linear(x, weight, bias?.to(x.dtype)).MoveToOuterDisposeScope();
    }
}
