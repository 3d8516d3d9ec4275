using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>Copies saved tensors into a module's parameters by name, naming the first missing or misshaped one.</summary>
public static class ModuleParameters
{
    /// <summary>Copies <c>state[prefix + name]</c> into every parameter; returns the keys it used.</summary>
    public static HashSet<string> CopyFrom(nn.Module module, IReadOnlyDictionary<string, Tensor> state, string source, string prefix = "")
    {
        using var noGrad = torch.no_grad();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, p) in module.named_parameters())
        {
            var key = prefix + name;
            if (!state.TryGetValue(key, out var value))
                throw new LoomDataException($"{source}: missing tensor '{key}'");
            if (!value.shape.SequenceEqual(p.shape))
                throw new LoomDataException($"{source}: tensor '{key}' has shape [{string.Join(", ", value.shape)}], the model needs "
                    + $"[{string.Join(", ", p.shape)}]");
            p.copy_(value);
            used.Add(key);
        }
        return used;
    }
}
