using Loom.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Privacy;

/// <summary>
/// Per-example gradients without vmap, the way Opacus forms them: a forward hook on each layer that owns trainable
/// parameters keeps the layer's input and marks its output to retain its gradient; after <c>backward()</c> on the
/// <b>sum</b> of the per-example losses, each layer's per-example gradients follow from its input and output gradient
/// (<see cref="PerSampleLayerRules"/>: Linear, Conv2d, Embedding, LayerNorm, GroupNorm, RMSNorm, GPT-2's Conv1D, and a
/// head tied to an embedding through <see cref="ISharedWeightLayer"/>). A model with trainable
/// parameters in any other layer (BatchNorm mixes examples; custom layers have no rule) is refused when the hooks are
/// installed. Every hooked call must see one row per example; a layer called more than once adds its calls up.
/// The hooks keep each call's input and output out of dispose scopes until <see cref="Clear"/> (between batches) or
/// <see cref="Dispose"/>; the gradients they return live in the caller's scope.
/// </summary>
public sealed class PerSampleGradients : IDisposable
{
    private readonly List<Action> removeHooks = [];
    private readonly List<(nn.Module Layer, Tensor Input, Tensor Output)> captured = [];
    // Each hooked layer's trained parameters by name ("weight", "bias"), as the module registered them: a layer's
    // property may hand out a fresh wrapper, so results are keyed by these objects.
    private readonly Dictionary<nn.Module, Dictionary<string, Parameter>> trained = new(ReferenceEqualityComparer.Instance);
    // A shared-weight layer's owner: its calls are grouped with the owner's, since their gradients add up in one tensor.
    private readonly Dictionary<nn.Module, nn.Module> owners = new(ReferenceEqualityComparer.Instance);

    /// <summary>Installs the hooks on every layer of <paramref name="model"/> that owns one of <paramref name="parameters"/>
    /// (default: all its trainable parameters), and on every <see cref="ISharedWeightLayer"/> that uses one of them.</summary>
    public PerSampleGradients(nn.Module model, IEnumerable<Parameter>? parameters = null)
    {
        var wanted = (parameters ?? model.parameters()).Where(p => p.requires_grad).Select(p => p.Handle).ToHashSet();
        var covered = new HashSet<IntPtr>();
        var modules = Models.ModuleTree.Distinct(model);   // each module once, so each is hooked once
        foreach (var (name, module) in modules)
        {
            var own = module.named_parameters(recurse: false).Where(p => wanted.Contains(p.parameter.Handle)).ToList();
            if (own.Count == 0)
                continue;
            string layer = name.Length == 0 ? module.GetName() : name;
            if (!PerSampleLayerRules.Supports(module) || module is not nn.Module<Tensor, Tensor>)
                throw new LoomUsageException($"DP-SGD cannot form per-example gradients for layer '{layer}' "
                    + $"({module.GetType().Name}); it supports trainable Linear, Conv2d, Embedding, LayerNorm, GroupNorm, RMSNorm "
                    + "and GPT-2 Conv1D layers");
            foreach (var p in own) covered.Add(p.parameter.Handle);
            trained[module] = own.ToDictionary(p => p.name, p => p.parameter);
            Hook(module);
        }
        foreach (var (_, module) in modules)
            if (module is ISharedWeightLayer shared && trained.TryGetValue(shared.SharedWeight.Owner, out var owner)
                && owner.TryGetValue(shared.SharedWeight.Name, out var weight))
            {
                trained[module] = new Dictionary<string, Parameter> { ["weight"] = weight };
                owners[module] = shared.SharedWeight.Owner;
                Hook(module);
            }
        if (wanted.Except(covered).Any())
            throw new LoomUsageException("DP-SGD needs every trained parameter to belong to a layer of the model");
    }

    private void Hook(nn.Module module)
    {
        var remover = ((nn.Module<Tensor, Tensor>)module).register_forward_hook((m, input, output) =>
        {
            if (!output.requires_grad)
                return output;
            // Containers such as Sequential dispose the tensors they pass on, so the caller gets a view and the
            // hook keeps the layer's own output, whose gradient it retains.
            // Layers run in dispose scopes of their own, so the captured tensors leave them and Clear() frees them.
            output.retain_grad();
            var onward = output.view_as(output);
            captured.Add((m, input.detach().DetachFromDisposeScope(), output.DetachFromDisposeScope()));
            return onward;
        });
        removeHooks.Add(remover.remove);
    }

    /// <summary>Examples in the captured batch (rows of the first hooked call), or 0 before a forward pass.</summary>
    public long BatchSize => captured.Count == 0 ? 0 : captured[0].Input.shape[0];

    /// <summary>Forgets the captured forward pass and frees what it held.</summary>
    public void Clear()
    {
        foreach (var (_, input, output) in captured)
        {
            input.Dispose();
            output.Dispose();
        }
        captured.Clear();
    }

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
        foreach (var group in Calls().GroupBy(c => owners.GetValueOrDefault(c.Layer, c.Layer), ReferenceEqualityComparer.Instance))
        {
            var calls = group.ToList();
            var layer = calls[0].Layer;
            bool alone = calls.Count == 1 && !owners.ContainsKey(layer)
                && trained[layer].Count == layer.named_parameters(recurse: false).Count();
            var norms = alone
                ? PerSampleLayerRules.SquaredNorms(layer, calls[0].Input, calls[0].Grad)
                : PerSampleLayerRules.SquaredNorms(calls
                    .SelectMany(c => PerSampleLayerRules.Gradients(c.Layer, c.Input, c.Grad)
                        .Where(p => trained[c.Layer].ContainsKey(p.Name))
                        .Select(p => (Parameter: trained[c.Layer][p.Name], p.Gradients)))
                    .GroupBy(p => p.Parameter, ReferenceEqualityComparer.Instance)
                    .Select(g => g.Select(p => p.Gradients).Aggregate((a, b) => a + b)));
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
        Clear();
    }
}
