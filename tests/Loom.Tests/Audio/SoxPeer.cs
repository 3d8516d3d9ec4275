using System.Diagnostics;

namespace Loom.Tests.Audio;

/// <summary>Runs Debian's sox (installed by build/setup.sh --tests) and returns its standard output and error together.</summary>
public static class SoxPeer
{
    public const string Program = "/usr/bin/sox";

    public static string Run(params string[] args)
    {
        Assert.True(File.Exists(Program), "sox is not installed; run 'bash build/setup.sh --tests' (apt-get install sox)");
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"sox {string.Join(' ', args)} failed: {errors.Result}");
        return output + errors.Result;
    }
}
