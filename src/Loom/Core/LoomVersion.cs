using System.Reflection;

namespace Loom.Core;

/// <summary>The Loom version written into every checkpoint and model card.</summary>
public static class LoomVersion
{
    public static string Current { get; } =
        typeof(LoomVersion).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LoomVersion")?.Value ?? "0.0.0";
}
