namespace Loom.Tests.Support;

/// <summary>
/// Finds the repository root (the folder with Loom.sln), its test fixtures (<c>tests/fixtures</c>, made by peer
/// libraries; see the README there) and its bundled corpora (<c>data/</c>). Nothing outside the repository is read.
/// </summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>A file under <c>tests/fixtures</c>.</summary>
    public static string Fixture(string relative) => Path.Combine(Root, "tests", "fixtures", relative);

    /// <summary>A bundled corpus under <c>data/</c> (tinyshakespeare.txt, names.txt).</summary>
    public static string BundledData(string name) => Path.Combine(Root, "data", name);

    /// <summary>A fresh empty folder under the system temp folder, deleted by the caller if it wants.</summary>
    public static string NewTempDir(string prefix = "loom-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Loom.sln")))
                return dir.FullName;
        throw new InvalidOperationException("cannot find Loom.sln above " + AppContext.BaseDirectory);
    }
}
