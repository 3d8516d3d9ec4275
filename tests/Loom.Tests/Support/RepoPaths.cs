namespace Loom.Tests.Support;

/// <summary>
/// Finds the repository root (the folder with Loom.sln) and the shared data/fixtures: the nearest <c>shared/</c> folder
/// (holding <c>fixtures/</c> or <c>data/</c>) at or above the root, so a worktree one level deeper finds it too.
/// </summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Shared { get; } = FindShared();

    public static string Fixture(string relative) => Path.Combine(Shared, "fixtures", relative);

    public static string SharedData(string name) => Path.Combine(Shared, "data", name);

    /// <summary>A fresh empty folder under the system temp folder, deleted by the caller if it wants.</summary>
    public static string NewTempDir(string prefix = "loom-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(Root); dir is not null; dir = dir.Parent)
        {
            var shared = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(shared, "fixtures")) || Directory.Exists(Path.Combine(shared, "data")))
                return shared;
        }
        return Path.GetFullPath(Path.Combine(Root, "..", "shared"));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Loom.sln")))
                return dir.FullName;
        throw new InvalidOperationException("cannot find Loom.sln above " + AppContext.BaseDirectory);
    }
}
