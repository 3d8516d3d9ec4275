using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// A module's submodules, each once. TorchSharp's <c>named_modules()</c> lists a module once per way it is registered —
/// also under the name of the C# field that holds it, which is no key of the checkpoint — so code that hooks or wraps
/// layers walks this list instead.
/// </summary>
public static class ModuleTree
{
    /// <summary>
    /// <paramref name="model"/> itself (path "") and every submodule once, under its state-dict path (the prefix of its
    /// parameters' keys) where it has one, else under the first name TorchSharp gives it; in TorchSharp's order.
    /// </summary>
    public static List<(string Path, nn.Module Module)> Distinct(nn.Module model)
    {
        var keys = model.named_parameters().Select(p => p.name).ToList();
        bool IsKeyPath(string path) => keys.Any(k => k.StartsWith(path + ".", StringComparison.Ordinal));
        var modules = model.named_modules().Select(m => (Path: m.name, Module: m.module))
            .GroupBy(m => m.Module, ReferenceEqualityComparer.Instance)
            .Select(g => g.Any(m => IsKeyPath(m.Path)) ? g.First(m => IsKeyPath(m.Path)) : g.First());
        return modules.Prepend((Path: "", Module: model)).DistinctBy(m => m.Module, ReferenceEqualityComparer.Instance).ToList();
    }

    /// <summary>Whether <paramref name="path"/> prefixes one of <paramref name="model"/>'s parameter keys.</summary>
    public static bool OwnsParameters(nn.Module model, string path) =>
        model.named_parameters().Any(p => p.name.StartsWith(path + ".", StringComparison.Ordinal));

    /// <summary>
    /// Registers <paramref name="replacement"/> as <paramref name="parent"/>'s child <paramref name="name"/>, dropping every
    /// name the old child was listed under (TorchSharp also lists it under its field's name, which would keep its
    /// parameters in the state dict).
    /// </summary>
    public static void ReplaceChild(nn.Module parent, string name, nn.Module old, nn.Module replacement)
    {
        foreach (var alias in parent.named_children().Where(c => ReferenceEquals(c.module, old)).Select(c => c.name).ToList())
            parent.register_module(alias, null!);
        parent.register_module(name, replacement);
    }
}
