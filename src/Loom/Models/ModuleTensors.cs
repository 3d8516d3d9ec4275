using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// A module's full state, parameters and buffers (BatchNorm running statistics, spectral-norm vectors), by name.
/// (<see cref="ModuleParameters.CopyFrom"/> restores parameters only; BatchNorm, spectral norm and EMA codebooks need their buffers too.)
/// </summary>
public static class ModuleTensors
{
    /// <summary>Every parameter and buffer as <c>prefix + name</c> (the live tensors, not copies).</summary>
    public static Dictionary<string, Tensor> Capture(nn.Module module, string prefix = "")
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, p) in module.named_parameters()) state[prefix + name] = p;
        foreach (var (name, b) in module.named_buffers()) state[prefix + name] = b;
        return state;
    }

    /// <summary>Copies <c>state[prefix + name]</c> into every parameter and buffer, naming the first missing or misshaped tensor.</summary>
    public static void CopyFrom(nn.Module module, IReadOnlyDictionary<string, Tensor> state, string source, string prefix = "")
    {
        var targets = Capture(module, prefix);
        if (targets.Keys.FirstOrDefault(key => !state.ContainsKey(key)) is { } missing)
            throw new LoomDataException($"{source}: missing tensor '{missing}'");
        if (targets.FirstOrDefault(t => !state[t.Key].shape.SequenceEqual(t.Value.shape)) is { Key: not null } wrong)
            throw new LoomDataException($"{source}: tensor '{wrong.Key}' has shape [{string.Join(", ", state[wrong.Key].shape)}], the "
                + $"model needs [{string.Join(", ", wrong.Value.shape)}]");
        using var noGrad = torch.no_grad();
        foreach (var (key, target) in targets)
            target.copy_(state[key]);
    }
}
