using System.Collections.Concurrent;
using Loom.Core;

namespace Loom.Models;

/// <summary>
/// Maps kind names to families. Loom's own families are discovered once from the Loom assembly; applications
/// add their own with <see cref="Register"/> so their checkpoints load through the same <c>Checkpoint.Load</c>.
/// </summary>
public static class ModelRegistry
{
    private static readonly Lazy<ConcurrentDictionary<string, IModelFamily>> Families = new(Discover);

    public static IReadOnlyCollection<IModelFamily> All => Families.Value.Values.OrderBy(f => f.Kind, StringComparer.Ordinal).ToList();

    public static IModelFamily Get(string kind)
    {
        if (Families.Value.TryGetValue(kind, out var family))
            return family;
        throw new LoomUsageException(
            $"unknown model kind '{kind}'; known kinds: {string.Join(", ", Families.Value.Keys.Order(StringComparer.Ordinal))}");
    }

    public static bool TryGet(string kind, out IModelFamily? family) => Families.Value.TryGetValue(kind, out family);

    /// <summary>The family of <paramref name="kind"/> as a trainer; a usage error when it cannot train.</summary>
    public static Training.Runs.ITrainableFamily Trainable(string kind) =>
        Get(kind) as Training.Runs.ITrainableFamily
            ?? throw new LoomUsageException($"model kind '{kind}' cannot be trained through the library's training API");

    /// <summary>Adds a family; a kind that is already registered by a different type is an error.</summary>
    public static void Register(IModelFamily family)
    {
        var existing = Families.Value.GetOrAdd(family.Kind, family);
        if (!ReferenceEquals(existing, family) && existing.GetType() != family.GetType())
            throw new LoomUsageException($"model kind '{family.Kind}' is already registered by {existing.GetType().FullName}");
    }

    private static ConcurrentDictionary<string, IModelFamily> Discover()
    {
        var families = typeof(IModelFamily).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IModelFamily).IsAssignableFrom(t)
                && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IModelFamily)Activator.CreateInstance(t)!);
        return new ConcurrentDictionary<string, IModelFamily>(families.Select(f => KeyValuePair.Create(f.Kind, f)), StringComparer.Ordinal);
    }
}
