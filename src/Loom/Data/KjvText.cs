using System.Diagnostics;
using Loom.Core;

namespace Loom.Data;

/// <summary>
/// The King James Bible as plain text, extracted from Debian's <c>bible-kjv</c> program and the compressed
/// <c>/usr/lib/bible.data</c> of <c>bible-kjv-text</c> by <c>bible -l 79 Gen1:1-Rev22:21</c>: book and chapter
/// headings, indented numbered verses, lines wrapped at 79 columns, ASCII.
/// </summary>
public static class KjvText
{
    /// <summary>The catalog name.</summary>
    public const string Name = "kjv";

    /// <summary>The extracted file's name.</summary>
    public const string FileName = "kjv.txt";

    /// <summary>The compressed text installed by <c>bible-kjv-text</c>.</summary>
    public const string PackageData = "/usr/lib/bible.data";

    /// <summary>The reader program installed by <c>bible-kjv</c>.</summary>
    public const string Program = "/usr/bin/bible";

    /// <summary>True when both Debian packages are installed.</summary>
    public static bool PackageInstalled() => File.Exists(PackageData) && File.Exists(Program);

    /// <summary>Extracts the whole text into <paramref name="folder"/>/kjv.txt (atomically) and returns the path.</summary>
    public static string ExtractTo(string folder)
    {
        if (!PackageInstalled())
            throw new LoomDataException(
                $"{PackageData}: the KJV text is not installed; install it with 'sudo apt-get install bible-kjv bible-kjv-text'");
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in new[] { "-l", "79", "Gen1:1-Rev22:21" })
            start.ArgumentList.Add(arg);
        start.Environment.Remove("COLUMNS");
        using var process = Process.Start(start)
            ?? throw new LoomDataException($"{Program}: could not be started to extract the KJV text");
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync();
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || text.Length < 1_000_000)
            throw new LoomDataException(
                $"{Program}: extracting the KJV text failed (exit {process.ExitCode}, {text.Length} chars): "
                    + $"{errors.Result.Split('\n')[0].Trim()}");
        var path = Path.Combine(folder, FileName);
        IO.AtomicFile.WriteAllText(path, text);
        return path;
    }
}
