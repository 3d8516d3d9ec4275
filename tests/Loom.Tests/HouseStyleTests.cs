using System.Diagnostics;
using Loom.Tests.Support;

namespace Loom.Tests;

/// <summary>
/// House style (.editorconfig): no line of a tracked C# file is longer than 140 characters. The files are the ones
/// <c>git ls-files '*.cs'</c> lists in the repository root.
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

    private static List<string> TrackedCSharpFiles()
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false
        };
        foreach (var arg in new[] { "ls-files", "-z", "--", "*.cs" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start git");
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git ls-files failed (exit {process.ExitCode}): {errors.Result}");
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
