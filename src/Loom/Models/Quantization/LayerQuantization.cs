using Loom.Core;
using Loom.Models.Transformer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Quantization;

/// <summary>
/// Weight-only quantization of a network: every Linear or GPT-2 Conv1D layer held by an <see cref="ILayerHost"/> (a
/// transformer block's attention and MLP projections) becomes a <see cref="QuantizedLinear"/> under the same module path.
/// Embeddings, norms and the output head (tied to the embedding, or an untied <c>lm_head</c>) are not hosted layers and
/// stay float32.
/// </summary>
public static class LayerQuantization
{
    /// <summary>A layer quantization replaces: its module path, the module that calls it and its name there.</summary>
    public sealed record Target(string Path, ILayerHost Host, string Name, nn.Module Layer)
    {
        /// <summary>Input features (4 bits need an even number).</summary>
        public long Inputs => Layer switch
        {
            Conv1D conv => conv.Weight.shape[0],
            Linear linear => linear.weight!.shape[1],
            QuantizedLinear quantized => quantized.Inputs,
            _ => throw new InvalidOperationException($"{Path} is not an affine layer"),
        };
    }

    /// <summary>The float Linear / Conv1D layers of <paramref name="network"/> that <see cref="Quantize"/> replaces.</summary>
    public static IReadOnlyList<Target> Targets(nn.Module network) => Layers(network, m => m is Linear or Conv1D);

    /// <summary>
    /// Replaces every target layer of <paramref name="network"/> by its quantized form and frees the float weights; returns
    /// how many layers it quantized. A 4-bit group size must divide every target's input features; nothing changes when
    /// one does not.
    /// </summary>
    public static int Quantize(nn.Module network, QuantizationOptions options)
    {
        options.Validate();
        if (OptionsOf(network) is { } already)
            throw new LoomUsageException($"quantize: the model is already quantized ({already.Bits}-bit)");
        var targets = Targets(network);
        if (targets.Count == 0)
            throw new LoomUsageException("quantize: the model has no transformer projection layers to quantize");
        RequireEvenInputs(targets, options, problem => new LoomUsageException($"quantize: {problem}"));
        foreach (var target in targets)
        {
            var quantized = target.Layer switch
            {
                Conv1D conv => QuantizedLinear.Quantize(conv.Weight.t(), conv.Bias, options),
                Linear linear => QuantizedLinear.Quantize(linear.weight!, linear.bias, options),
                _ => throw new InvalidOperationException($"{target.Path} is not an affine layer"),
            };
            target.Host.ReplaceLayer(target.Name, quantized).Dispose();
        }
        return targets.Count;
    }

    /// <summary>
    /// Gives a freshly built <paramref name="network"/> the quantized layers a checkpoint saved with
    /// <paramref name="options"/> describes (zero-filled, for the saved tensors to be copied into).
    /// </summary>
    public static void PrepareForLoad(nn.Module network, QuantizationOptions options, string source)
    {
        var targets = Targets(network);
        RequireEvenInputs(targets, options, problem => new LoomDataException($"{source}: {problem}"));
        foreach (var target in targets)
        {
            var (hasBias, outputs) = target.Layer switch
            {
                Conv1D conv => (conv.Bias is not null, conv.Weight.shape[1]),
                Linear linear => (linear.bias is not null, linear.weight!.shape[0]),
                _ => throw new InvalidOperationException($"{target.Path} is not an affine layer"),
            };
            target.Host.ReplaceLayer(target.Name, QuantizedLinear.Empty(target.Inputs, outputs, hasBias, options)).Dispose();
        }
    }

    /// <summary>The settings <paramref name="network"/>'s layers were quantized with, or null when none is.</summary>
    public static QuantizationOptions? OptionsOf(nn.Module network) =>
        network.modules().OfType<QuantizedLinear>().FirstOrDefault()?.Options;

    /// <summary>4 bits pack two weights per byte along a row, so every layer needs an even number of input features.</summary>
    private static void RequireEvenInputs(IReadOnlyList<Target> targets, QuantizationOptions options, Func<string, Exception> error)
    {
        if (options.Bits != 4) return;
        if (targets.FirstOrDefault(t => t.Inputs % 2 != 0) is { } misfit)
            throw error($"4 bits pack two weights per byte; {misfit.Path} has {misfit.Inputs} (odd) input features");
    }

    private static List<Target> Layers(nn.Module network, Func<nn.Module, bool> wanted)
    {
        var modules = ModuleTree.Distinct(network);
        var byPath = modules.GroupBy(m => m.Path).ToDictionary(g => g.Key, g => g.First().Module, StringComparer.Ordinal);
        var targets = new List<Target>();
        foreach (var (path, module) in modules.Where(m => wanted(m.Module)))
        {
            int dot = path.LastIndexOf('.');
            var parentPath = dot < 0 ? "" : path[..dot];
            if (byPath.TryGetValue(parentPath, out var parent) && parent is ILayerHost host)
                targets.Add(new Target(path, host, path[(dot + 1)..], module));
        }
        return targets;
    }
}
