using Loom.Core;

namespace Loom.Models;

/// <summary>Maps kind names to families. Families are discovered once from the Loom assembly.</summary>
public static class ModelRegistry
{
    private static readonly Lazy<IReadOnlyDictionary<string, IModelFamily>> Families = new(Discover);

    public static IReadOnlyCollection<IModelFamily> All => Families.Value.Values.OrderBy(f => f.Kind, StringComparer.Ordinal).ToList();

    public static IModelFamily Get(string kind)
    {
        if (Families.Value.TryGetValue(kind, out var family))
            return family;
        throw new LoomUsageException($"unknown model kind '{kind}'; known kinds: {string.Join(", ", Families.Value.Keys.Order(StringComparer.Ordinal))}");
    }

    public static bool TryGet(string kind, out IModelFamily? family) => Families.Value.TryGetValue(kind, out family);

    private static IReadOnlyDictionary<string, IModelFamily> Discover()
    {
        var families = typeof(IModelFamily).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IModelFamily).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IModelFamily)Activator.CreateInstance(t)!);
        return families.ToDictionary(f => f.Kind, StringComparer.Ordinal);
    }
}
