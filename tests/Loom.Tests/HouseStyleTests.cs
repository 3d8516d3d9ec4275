using Loom.Tests.Support;

namespace Loom.Tests;

/// <summary>
/// House style (.editorconfig): no line of a C# source file is longer than 140 characters.
/// </summary>
public class HouseStyleTests
{
    private const int MaxLineLength = 140;

    [Fact]
    public void TrackedCSharpFilesAreFound()
    {
        var files = TrackedCSharpFiles();
        Assert.NotEmpty(files);
        Assert.Contains(files, f => f.EndsWith("HouseStyleTests.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void NoCSharpLineIsLongerThan140Characters()
    {
        var tooLong = new List<string>();
        foreach (var file in TrackedCSharpFiles())
        {
            var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, file));
            for (int i = 0; i < lines.Length; i++)
            {
                int length = lines[i].EnumerateRunes().Count();
                if (length > MaxLineLength) tooLong.Add($"{file}:{i + 1} ({length})");
            }
        }
        Assert.True(tooLong.Count == 0,
            $"{tooLong.Count} line(s) longer than {MaxLineLength} characters:\n" + string.Join("\n", tooLong));
    }

    /// <summary>
    /// The repository's C# sources (paths relative to the root): every *.cs under src, tests, bench, samples and build,
    /// leaving out build outputs (bin, obj). Read from the file system, not git: CI runs in a copy without .git.
    /// </summary>
    private static List<string> TrackedCSharpFiles()
    {
        var files = new List<string>();
        foreach (var top in new[] { "src", "tests", "bench", "samples", "build" })
        {
            var folder = Path.Combine(RepoPaths.Root, top);
            if (!Directory.Exists(folder)) continue;
            files.AddRange(Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(RepoPaths.Root, f))
                .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")));
        }
        return files.Order(StringComparer.Ordinal).ToList();
    }
}
