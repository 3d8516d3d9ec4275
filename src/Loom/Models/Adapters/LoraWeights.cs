using Loom.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adapters;

/// <summary>
/// One adapter's low-rank pair for one wrapped layer: A [r, in] (Kaiming-uniform, bound 1/√in as peft draws it) and
/// B [out, r] (zero, so a fresh adapter changes nothing). Its update is (α/r)·B·A·dropout(x).
/// </summary>
public sealed class LoraWeights : nn.Module
{
    private readonly Parameter a, b;

    public LoraWeights(long inputs, long outputs, LoraConfig config, Generator generator, ScalarType dtype, Device device)
        : base("lora")
    {
        Config = config;
        double bound = 1.0 / Math.Sqrt(inputs);   // kaiming_uniform_(a=√5): √(6 / ((1 + 5)·fan_in))
        using (torch.no_grad())
        {
            a = nn.Parameter(torch.empty(config.Rank, inputs, ScalarType.Float32).uniform_(-bound, bound, generator).to(dtype, device));
            b = nn.Parameter(torch.zeros(outputs, config.Rank, dtype, device));
        }
        register_parameter("lora_A", a);
        register_parameter("lora_B", b);
    }

    public LoraConfig Config { get; }

    /// <summary>A [r, in].</summary>
    public Parameter A => a;

    /// <summary>B [out, r].</summary>
    public Parameter B => b;

    /// <summary>(α/r)·B·A·dropout(x), shaped like the wrapped layer's output.</summary>
    public Tensor Update(Tensor x, bool training)
    {
        using var scope = torch.NewDisposeScope();
        var input = Config.Dropout > 0 ? nn.functional.dropout(x, Config.Dropout, training) : x;
        var update = input.matmul(a.t()).matmul(b.t()) * Config.Scale;
        return update.MoveToOuterDisposeScope();
    }

    /// <summary>(α/r)·B·A [out, in], transposed to [in, out] for a fan-in-fan-out layer: what merging adds to its weight.</summary>
    public Tensor DeltaWeight(bool fanInFanOut)
    {
        using var scope = torch.NewDisposeScope();
        var delta = b.matmul(a) * Config.Scale;
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
