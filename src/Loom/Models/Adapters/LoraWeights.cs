using Loom.Core;
using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adapters;

/// <summary>
/// One adapter's low-rank pair for one wrapped layer. For a linear layer A is [r, in] and B [out, r]; for a 2-D
/// convolution (peft's conv LoRA) A is [r, in, k, k], a convolution with the base layer's kernel, stride and padding, and
/// B [out, r, 1, 1], a 1×1 convolution. A is Kaiming-uniform (bound 1/√fan-in, fan-in = in·k·k, as peft draws it) and
/// B zero, so a fresh adapter changes nothing. Its update is (α/r)·B·A·dropout(x).
/// </summary>
public sealed class LoraWeights : nn.Module
{
    private readonly Parameter a, b;

    /// <param name="conv">The wrapped convolution's geometry; null for a linear layer.</param>
    public LoraWeights(long inputs, long outputs, LoraConfig config, Generator generator, ScalarType dtype, Device device,
        LoraConvGeometry? conv = null)
        : base("lora")
    {
        Config = config;
        Conv = conv;
        long[] kernel = conv is null ? [] : [conv.Kernel, conv.Kernel];
        long[] ones = conv is null ? [] : [1, 1];
        double bound = 1.0 / Math.Sqrt(inputs * (conv is null ? 1 : conv.Kernel * conv.Kernel));   // kaiming_uniform_(a=√5)
        using (torch.no_grad())
        {
            a = nn.Parameter(torch.empty([config.Rank, inputs, .. kernel], ScalarType.Float32).uniform_(-bound, bound, generator)
                .to(dtype, device));
            b = nn.Parameter(torch.zeros([outputs, config.Rank, .. ones], dtype, device));
        }
        register_parameter("lora_A", a);
        register_parameter("lora_B", b);
    }

    public LoraConfig Config { get; }

    /// <summary>The wrapped convolution's geometry, or null for a linear layer.</summary>
    public LoraConvGeometry? Conv { get; }

    /// <summary>A: [r, in], or [r, in, k, k] for a convolution.</summary>
    public Parameter A => a;

    /// <summary>B: [out, r], or [out, r, 1, 1] for a convolution.</summary>
    public Parameter B => b;

    /// <summary>(α/r)·B·A·dropout(x), shaped like the wrapped layer's output.</summary>
    public Tensor Update(Tensor x, bool training)
    {
        using var scope = torch.NewDisposeScope();
        var input = Config.Dropout > 0 ? nn.functional.dropout(x, Config.Dropout, training) : x;
        Tensor update;
        if (Conv is null)
            update = input.matmul(a.t()).matmul(b.t());
        else
        {
            var padding = Conv.Padding;
            if (Conv.PaddingMode != PaddingModes.Zeros)
            {
                input = nn.functional.pad(input, [padding[1], padding[1], padding[0], padding[0]], Conv.PaddingMode);
                padding = [0, 0];
            }
            var low = Convolutions.Conv2d(input, a, null, Conv.Stride, padding);
            update = Convolutions.Conv2d(low, b, null, [1, 1], [0, 0]);
        }
        return (update * Config.Scale).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (α/r)·B·A shaped like the wrapped weight — [out, in], [out, in, k, k] for a convolution, transposed to [in, out] for
    /// a fan-in-fan-out layer: what merging adds to its weight.
    /// </summary>
    public Tensor DeltaWeight(bool fanInFanOut)
    {
        using var scope = torch.NewDisposeScope();
        var delta = (b.flatten(1).matmul(a.flatten(1)) * Config.Scale).reshape([b.shape[0], .. a.shape.Skip(1)]);
        return (fanInFanOut ? delta.t().contiguous() : delta).MoveToOuterDisposeScope();
    }

    /// <summary>Copies saved A and B in, refusing shapes that do not fit this layer.</summary>
    public void CopyFrom(Tensor savedA, Tensor savedB, string keyA, string keyB, string source)
    {
        Require(savedA, a, keyA, source);
        Require(savedB, b, keyB, source);
        using var noGrad = torch.no_grad();
        a.copy_(savedA.to(a.dtype, a.device));
        b.copy_(savedB.to(b.dtype, b.device));
    }

    private static void Require(Tensor saved, Tensor own, string key, string source)
    {
        if (!saved.shape.SequenceEqual(own.shape))
            throw new LoomDataException($"{source}: {key} has shape [{string.Join(", ", saved.shape)}] but this model needs "
                + $"[{string.Join(", ", own.shape)}]; was the adapter trained on another base model?");
    }
}
