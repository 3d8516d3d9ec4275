using Loom.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Privacy;

/// <summary>
/// Per-example gradients without vmap, the way Opacus forms them: a forward hook on each layer that owns trainable
/// parameters keeps the layer's input and marks its output to retain its gradient; after <c>backward()</c> on the
/// <b>sum</b> of the per-example losses, each layer's per-example gradients follow from its input and output gradient
/// (<see cref="PerSampleLayerRules"/>: Linear, Conv2d, Embedding, LayerNorm, GroupNorm). A model with trainable
/// parameters in any other layer (BatchNorm mixes examples; custom layers have no rule) is refused when the hooks are
/// installed. Every hooked call must see one row per example; a layer called more than once adds its calls up.
/// Captured tensors live in the caller's dispose scope: read the results before it ends, and <see cref="Clear"/> between
/// batches.
/// </summary>
public sealed class PerSampleGradients : IDisposable
{
    private readonly List<Action> removeHooks = [];
    private readonly List<(nn.Module Layer, Tensor Input, Tensor Output)> captured = [];
    // Each hooked layer's trained parameters by name ("weight", "bias"), as the module registered them: a layer's
    // property may hand out a fresh wrapper, so results are keyed by these objects.
    private readonly Dictionary<nn.Module, Dictionary<string, Parameter>> trained = new(ReferenceEqualityComparer.Instance);

    /// <summary>Installs the hooks on every layer of <paramref name="model"/> that owns one of <paramref name="parameters"/>
    /// (default: all its trainable parameters).</summary>
    public PerSampleGradients(nn.Module model, IEnumerable<Parameter>? parameters = null)
    {
        var wanted = (parameters ?? model.parameters()).Where(p => p.requires_grad).Select(p => p.Handle).ToHashSet();
        var covered = new HashSet<IntPtr>();
        foreach (var (name, module) in model.named_modules().Prepend(("", model)))
        {
            var own = module.named_parameters(recurse: false).Where(p => wanted.Contains(p.parameter.Handle)).ToList();
            if (own.Count == 0)
                continue;
            string layer = name.Length == 0 ? module.GetName() : name;
            if (!PerSampleLayerRules.Supports(module) || module is not nn.Module<Tensor, Tensor> hookable)
                throw new LoomUsageException($"DP-SGD cannot form per-example gradients for layer '{layer}' "
                    + $"({module.GetType().Name}); it supports trainable Linear, Conv2d, Embedding, LayerNorm and GroupNorm layers");
            foreach (var p in own) covered.Add(p.parameter.Handle);
            trained[module] = own.ToDictionary(p => p.name, p => p.parameter);
            var remover = hookable.register_forward_hook((m, input, output) =>
            {
                if (!output.requires_grad)
                    return output;
                // Containers such as Sequential dispose the tensors they pass on, so the caller gets a view and the
                // hook keeps the layer's own output, whose gradient it retains.
                output.retain_grad();
                captured.Add((m, input.detach(), output));
                return output.view_as(output);
            });
            removeHooks.Add(remover.remove);
        }
        if (wanted.Except(covered).Any())
            throw new LoomUsageException("DP-SGD needs every trained parameter to belong to a layer of the model");
    }

    /// <summary>Examples in the captured batch (rows of the first hooked call), or 0 before a forward pass.</summary>
    public long BatchSize => captured.Count == 0 ? 0 : captured[0].Input.shape[0];

    /// <summary>Forgets the captured forward pass.</summary>
    public void Clear() => captured.Clear();

    /// <summary>Each trained parameter's per-example gradients, [B, …parameter shape], after <c>backward()</c> on the summed
    /// per-example losses.</summary>
    public IReadOnlyDictionary<Parameter, Tensor> Gradients()
    {
        var result = new Dictionary<Parameter, Tensor>(ReferenceEqualityComparer.Instance as IEqualityComparer<Parameter>);
        foreach (var (layer, input, grad) in Calls())
            foreach (var (name, perExample) in PerSampleLayerRules.Gradients(layer, input, grad))
                Add(result, layer, name, perExample);
        return result;
    }

    /// <summary>‖∇ℓ_i‖² over all trained parameters for each example i, [B].</summary>
    public Tensor SquaredNorms()
    {
        var total = torch.zeros(BatchSize, dtype: ScalarType.Float64);
        foreach (var group in Calls().GroupBy(c => c.Layer, ReferenceEqualityComparer.Instance))
        {
            var calls = group.ToList();
            var layer = calls[0].Layer;
            bool all = trained[layer].Count == layer.named_parameters(recurse: false).Count();
            var norms = calls.Count == 1 && all
                ? PerSampleLayerRules.SquaredNorms(layer, calls[0].Input, calls[0].Grad)
                : PerSampleLayerRules.SquaredNorms(calls.SelectMany(c => PerSampleLayerRules.Gradients(layer, c.Input, c.Grad))
                    .Where(p => trained[layer].ContainsKey(p.Name))
                    .GroupBy(p => p.Name).Select(g => g.Select(p => p.Gradients).Aggregate((a, b) => a + b)));
            total += norms.to(ScalarType.Float64).cpu();
        }
        return total;
    }

    /// <summary>Σ_i w_i ∇ℓ_i for each trained parameter, given one weight per example ([B]).</summary>
    public IReadOnlyDictionary<Parameter, Tensor> WeightedSum(Tensor weights)
    {
        var result = new Dictionary<Parameter, Tensor>(ReferenceEqualityComparer.Instance as IEqualityComparer<Parameter>);
        foreach (var (layer, input, grad) in Calls())
            foreach (var (name, sum) in PerSampleLayerRules.WeightedSum(layer, input, grad, weights.to(grad.device)))
                Add(result, layer, name, sum);
        return result;
    }

    private void Add(Dictionary<Parameter, Tensor> result, nn.Module layer, string name, Tensor value)
    {
        if (!trained[layer].TryGetValue(name, out var key))
            return;   // a parameter of the layer that this run does not train
        result[key] = result.TryGetValue(key, out var sum) ? sum + value : value;
    }

    private IEnumerable<(nn.Module Layer, Tensor Input, Tensor Grad)> Calls()
    {
        long rows = BatchSize;
        foreach (var (layer, input, output) in captured)
        {
            if (output.grad is not { } grad)
                continue;   // the loss did not use this call's output
            if (input.shape[0] != rows)
                throw new LoomUsageException($"DP-SGD needs one row per example in every layer, but a {layer.GetType().Name} layer "
                    + $"saw {input.shape[0]} rows for a batch of {rows}");
            yield return (layer, input, grad);
        }
    }

    public void Dispose()
    {
        foreach (var remove in removeHooks) remove();
        removeHooks.Clear();
        captured.Clear();
    }
}
