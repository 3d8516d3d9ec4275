using Loom.Core;
using Loom.Models.Layers;
using Loom.Models.Transformer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adapters;

/// <summary>
/// The LoRA side of one wrapped layer (an <c>nn.Linear</c>, GPT-2's <see cref="Conv1D"/> whose weight is stored
/// [in, out], or a 2-D convolution, <see cref="Conv2dLayer"/>): its adapters by name, added to the layer's output
/// through a forward hook, y = W x + (α/r)·B A x, for the active adapter while adapters are enabled and not merged. The
/// base layer itself is untouched (its state-dict keys stay the checkpoint's), except while an adapter is merged into
/// its weight.
/// </summary>
public sealed class LoraLayer : IDisposable
{
    private readonly Dictionary<string, LoraWeights> adapters = new(StringComparer.Ordinal);
    private readonly Action removeHook;

    private LoraLayer(string path, nn.Module<Tensor, Tensor> layer, Parameter weight, bool fanInFanOut, LoraConvGeometry? conv = null)
    {
        Path = path;
        Layer = layer;
        Weight = weight;
        FanInFanOut = fanInFanOut;
        Conv = conv;
        Inputs = fanInFanOut ? weight.shape[0] : weight.shape[1];
        Outputs = fanInFanOut ? weight.shape[1] : weight.shape[0];
        removeHook = layer.register_forward_hook(AddUpdate).remove;
    }

    /// <summary>The wrapped layer's module path (<c>transformer.h.0.attn.c_attn</c>).</summary>
    public string Path { get; }
    public nn.Module<Tensor, Tensor> Layer { get; }
    /// <summary>The base weight, [out, in], (fan-in-fan-out) [in, out] or (a convolution) [out, in, k, k].</summary>
    public Parameter Weight { get; }
    public bool FanInFanOut { get; }
    /// <summary>The wrapped convolution's geometry, or null for a linear layer.</summary>
    public LoraConvGeometry? Conv { get; }
    public long Inputs { get; }
    public long Outputs { get; }

    /// <summary>The adapter whose update applies, or null for none.</summary>
    public string? Active { get; set; }

    /// <summary>False while adapters are disabled: the layer computes its base output only.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The adapter merged into <see cref="Weight"/>, or null.</summary>
    public string? Merged { get; private set; }

    public IReadOnlyDictionary<string, LoraWeights> Adapters => adapters;

    /// <summary>Whether <paramref name="module"/> is a layer LoRA can wrap (Linear, Conv1D or Conv2d).</summary>
    public static bool CanWrap(nn.Module module) => module is Linear or Conv1D or Conv2dLayer;

    /// <summary>What <see cref="CanWrap"/> accepts, for error messages.</summary>
    public const string WrappableKinds = "Linear, Conv1D and Conv2d layers";

    /// <summary>Hooks a LoRA side onto <paramref name="module"/> (Linear, Conv1D or Conv2d).</summary>
    public static LoraLayer Wrap(string path, nn.Module module) => module switch
    {
        Conv1D conv => new LoraLayer(path, conv, conv.Weight, fanInFanOut: true),
        Linear linear => new LoraLayer(path, linear, linear.weight!, fanInFanOut: false),
        Conv2dLayer conv => new LoraLayer(path, conv, conv.Weight, fanInFanOut: false,
            new LoraConvGeometry(conv.Weight.shape[2], conv.Stride.ToArray(), conv.Padding.ToArray(), conv.PaddingMode)),
        _ => throw new LoomUsageException(
            $"target_modules: '{path}' is a {module.GetType().Name}; LoRA wraps {WrappableKinds} only"),
    };

    /// <summary>Adds adapter <paramref name="name"/> with fresh weights (A random, B zero).</summary>
    public LoraWeights Add(string name, LoraConfig config, Generator generator)
    {
        var weights = new LoraWeights(Inputs, Outputs, config, generator, Weight.dtype, Weight.device, Conv);
        adapters.Add(name, weights);
        return weights;
    }

    /// <summary>Removes adapter <paramref name="name"/> (unmerging it first).</summary>
    public void Remove(string name)
    {
        if (Merged == name) Unmerge();
        if (adapters.Remove(name, out var weights)) weights.Dispose();
        if (Active == name) Active = null;
    }

    /// <summary>Adds the active adapter's (α/r)·B·A into the base weight; its hook then adds nothing.</summary>
    public void Merge()
    {
        if (Merged is not null || Active is null) return;
        using var noGrad = torch.no_grad();
        using var delta = adapters[Active].DeltaWeight(FanInFanOut);
        Weight.add_(delta);
        Merged = Active;
    }

    /// <summary>Subtracts the merged adapter's update from the base weight again.</summary>
    public void Unmerge()
    {
        if (Merged is null) return;
        using var noGrad = torch.no_grad();
        using var delta = adapters[Merged].DeltaWeight(FanInFanOut);
        Weight.sub_(delta);
        Merged = null;
    }

    private Tensor AddUpdate(nn.Module<Tensor, Tensor> module, Tensor input, Tensor output)
    {
        if (!Enabled || Merged is not null || Active is null || !adapters.TryGetValue(Active, out var weights))
            return output;
        using var scope = torch.NewDisposeScope();
        using var update = weights.Update(input, module.training);
        return (output + update).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Unmerge();
        removeHook();
        foreach (var weights in adapters.Values) weights.Dispose();
        adapters.Clear();
    }
}
