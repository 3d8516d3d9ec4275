using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Loom.Bench;

/// <summary>Shared plumbing of the benchmarks: options, medians, the repository root and running a Python peer.</summary>
public static class BenchSupport
{
    public static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    public static string? StringOption(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Loom.sln")))
                return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Loom.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs bench/peers/SCRIPT with Debian's /usr/bin/python3; its last stdout line is a JSON object.</summary>
    public static JsonObject RunPythonPeer(string script, params string[] args)
    {
        var path = Path.Combine(RepoRoot(), "bench", "peers", script);
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{script} failed ({process.ExitCode}): {stderr.Trim()} (install the peers with 'build/setup.sh --bench')");
        return JsonNode.Parse(stdout.Result.Trim().Split('\n')[^1])!.AsObject();
    }

    /// <summary>This process's peak resident memory (VmHWM) in bytes.</summary>
    public static long PeakResidentBytes() => ProcessStatus("VmHWM:");

    /// <summary>This process's resident memory now (VmRSS) in bytes.</summary>
    public static long ResidentBytes() => ProcessStatus("VmRSS:");

    private static long ProcessStatus(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
