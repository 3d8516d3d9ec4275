using Loom.Core;

namespace Loom.Data;

/// <summary>
/// Turns a user's <c>--data</c> value into a file: an existing path, or a bundled text set by name
/// (<c>tinyshakespeare</c>, <c>names</c>) found in <c>$LOOM_DATA</c>, <c>~/.cache/loom</c>, or the <c>shared/data</c>
/// folder beside a Loom checkout.
/// </summary>
public static class DataLocator
{
    public static IReadOnlyList<string> BundledTextSets { get; } = ["tinyshakespeare", "names"];

    public static string ResolveTextFile(string spec)
    {
        if (File.Exists(spec))
            return spec;
        if (Directory.Exists(spec))
            throw new LoomDataException($"{spec}: is a folder, not a text file");
        var name = spec.Trim().ToLowerInvariant();
        if (BundledTextSets.Contains(name))
        {
            foreach (var candidate in Candidates(name + ".txt"))
                if (File.Exists(candidate))
                    return candidate;
            throw new LoomDataException($"--data: the '{name}' text was not found; put {name}.txt in $LOOM_DATA or ~/.cache/loom, or pass a file path");
        }
        throw new LoomDataException($"{spec}: no such file (bundled text sets: {string.Join(", ", BundledTextSets)})");
    }

    /// <summary>Places a named data file may live, most specific first.</summary>
    public static IEnumerable<string> Candidates(string fileName)
    {
        if (Environment.GetEnvironmentVariable("LOOM_DATA") is { Length: > 0 } env)
            yield return Path.Combine(env, fileName);
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "loom", fileName);
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Loom.sln")))
                    yield return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", fileName));
    }
}
