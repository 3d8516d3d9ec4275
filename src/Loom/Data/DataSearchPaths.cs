namespace Loom.Data;

/// <summary>
/// Where Loom looks for named data sets, in order: <c>$LOOM_DATA/&lt;name&gt;/</c>, <c>~/.cache/loom/&lt;name&gt;/</c>,
/// the bundled corpora (the <c>data/</c> folder beside the program, where the build and the tool package put them, and
/// the <c>data/</c> folder of a Loom checkout the program or the current folder sits in), then system package folders
/// (e.g. Debian's <c>/usr/share/datasets/…</c>). A downloadable set found nowhere is fetched into the cache when
/// <see cref="FetchMissing"/> is set. Tests build their own instance over temporary folders.
/// </summary>
/// <param name="LoomData">Value of <c>$LOOM_DATA</c>, or null when unset.</param>
/// <param name="Cache">The per-user cache root (<c>~/.cache/loom</c>); downloads go to <c>Cache/&lt;name&gt;</c>.</param>
/// <param name="Bundled">Folders holding the bundled corpora (<c>tinyshakespeare.txt</c>, <c>names.txt</c>).</param>
/// <param name="UseSystemLocations">Whether system package folders (Debian paths) are searched.</param>
public sealed record DataSearchPaths(string? LoomData, string Cache, IReadOnlyList<string> Bundled, bool UseSystemLocations = true)
{
    /// <summary>The environment variable that, set to anything but 0 or empty, stops Loom from downloading data.</summary>
    public const string OfflineVariable = "LOOM_OFFLINE";

    /// <summary>
    /// Whether a catalogued set that is on no searched folder is downloaded (checksum-verified) into the cache. On in
    /// <see cref="Default"/> unless <c>$LOOM_OFFLINE</c> is set; off for instances built by hand.
    /// </summary>
    public bool FetchMissing { get; init; }

    /// <summary>The HTTP client downloads use (null: a new one per download).</summary>
    public HttpClient? Http { get; init; }

    /// <summary>Where downloads report their progress (null: silently).</summary>
    public IProgress<DownloadProgress>? DownloadProgress { get; init; }

    /// <summary>
    /// The progress sink <see cref="Default"/> hands to downloads: an application (the <c>loom</c> command) sets it once
    /// at start-up so that every data set fetched on first use shows progress. Null by default.
    /// </summary>
    public static IProgress<DownloadProgress>? DefaultDownloadProgress { get; set; }

    /// <summary>The paths for this process: environment, home folder, bundled corpora; fetching unless offline.</summary>
    public static DataSearchPaths Default()
    {
        var loomData = Environment.GetEnvironmentVariable("LOOM_DATA");
        if (string.IsNullOrWhiteSpace(loomData))
            loomData = null;
        var offline = Environment.GetEnvironmentVariable(OfflineVariable);
        return new DataSearchPaths(loomData, DefaultCache(), FindBundledFolders())
        {
            FetchMissing = string.IsNullOrEmpty(offline) || offline == "0",
            DownloadProgress = DefaultDownloadProgress,
        };
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
        folders.AddRange(Bundled);
        if (UseSystemLocations)
            folders.AddRange(systemFolders);
        return folders.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The existing bundled-data folders: <c>data/</c> beside the program (the build copies the corpora there), then
    /// <c>data/</c> of the Loom checkout (a folder holding <c>Loom.sln</c>) above the program or the current folder.
    /// </summary>
    public static IReadOnlyList<string> FindBundledFolders()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "data") };
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            if (FindRepoRoot(start) is { } repo)
                candidates.Add(Path.Combine(repo, "data"));
        return candidates.Select(Path.GetFullPath).Where(Directory.Exists).Distinct(StringComparer.Ordinal).ToList();
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

/// <summary>How far a download has come: one file of a data set, bytes so far and in all (null when unknown).</summary>
public sealed record DownloadProgress(string DataSet, string FileName, long BytesDone, long? BytesTotal);
