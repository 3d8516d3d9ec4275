namespace Loom.Server.Routing;

/// <summary>The server's <see cref="ILoomEndpoints"/>, found once in this assembly (ordered by type name).</summary>
public static class LoomEndpointCatalog
{
    private static readonly Lazy<IReadOnlyList<ILoomEndpoints>> Discovered = new(() =>
        typeof(ILoomEndpoints).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && typeof(ILoomEndpoints).IsAssignableFrom(t)
                && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (ILoomEndpoints)Activator.CreateInstance(t)!)
            .ToList());

    public static IReadOnlyList<ILoomEndpoints> All => Discovered.Value;
}
