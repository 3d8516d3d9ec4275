namespace Loom.Data;

/// <summary>
/// Where Loom looks for named data sets, in order: <c>$LOOM_DATA/&lt;name&gt;/</c>, <c>~/.cache/loom/&lt;name&gt;/</c>,
/// the nearest <c>shared/data/</c> at or above a Loom checkout (found by walking up from the application folder and
/// from the current folder to a folder holding <c>Loom.sln</c>), then system package folders
/// (e.g. Debian's <c>/usr/share/datasets/…</c>). Tests build their own instance over temporary folders.
/// </summary>
/// <param name="LoomData">Value of <c>$LOOM_DATA</c>, or null when unset.</param>
/// <param name="Cache">The per-user cache root (<c>~/.cache/loom</c>); downloads go to <c>Cache/&lt;name&gt;</c>.</param>
/// <param name="SharedData">The checkout's <c>shared/data</c> folders, if any.</param>
/// <param name="UseSystemLocations">Whether system package folders (Debian paths) are searched.</param>
public sealed record DataSearchPaths(string? LoomData, string Cache, IReadOnlyList<string> SharedData, bool UseSystemLocations = true)
{
    /// <summary>The paths for this process: environment, home folder and the checkout it runs from.</summary>
    public static DataSearchPaths Default()
    {
        var loomData = Environment.GetEnvironmentVariable("LOOM_DATA");
        if (string.IsNullOrWhiteSpace(loomData))
            loomData = null;
        return new DataSearchPaths(loomData, DefaultCache(), FindSharedDataFolders());
    }

    /// <summary><c>$XDG_CACHE_HOME/loom</c> when set, else <c>~/.cache/loom</c>.</summary>
    public static string DefaultCache()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "loom");
    }

    /// <summary>The folder a data set named <paramref name="name"/> is downloaded into.</summary>
    public string CacheFolder(string name) => Path.Combine(Cache, name);

    /// <summary>Folders that may hold the files of data set <paramref name="name"/>, in search order (may not exist).</summary>
    public IReadOnlyList<string> FoldersFor(string name, IReadOnlyList<string> systemFolders)
    {
        var folders = new List<string>();
        if (LoomData is not null)
            folders.Add(Path.Combine(LoomData, name));
        folders.Add(CacheFolder(name));
        foreach (var shared in SharedData)
        {
            folders.Add(Path.Combine(shared, name));
            folders.Add(shared);
        }
        if (UseSystemLocations)
            folders.AddRange(systemFolders);
        return folders.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The <c>shared/data</c> folders of the Loom checkouts above the application folder and the current folder: for each
    /// checkout (a folder holding <c>Loom.sln</c>) the nearest of <c>&lt;repo&gt;/shared/data</c>,
    /// <c>&lt;repo&gt;/../shared/data</c>, <c>&lt;repo&gt;/../../shared/data</c>, … (worktrees sit one level deeper).
    /// </summary>
    public static IReadOnlyList<string> FindSharedDataFolders()
    {
        var found = new List<string>();
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            var repo = FindRepoRoot(start);
            for (var dir = repo is null ? null : new DirectoryInfo(repo); dir is not null; dir = dir.Parent)
            {
                var shared = Path.Combine(dir.FullName, "shared", "data");
                if (!Directory.Exists(shared))
                    continue;
                if (!found.Contains(shared))
                    found.Add(shared);
                break;
            }
        }
        return found;
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds <c>Loom.sln</c>, or null.</summary>
    public static string? FindRepoRoot(string start)
    {
        var dir = new DirectoryInfo(Path.GetFullPath(start));
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Loom.sln")))
                return dir.FullName;
            dir = dir.Parent;
        }
        return null;
    }
}
