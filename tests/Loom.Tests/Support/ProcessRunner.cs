using System.Diagnostics;

namespace Loom.Tests.Support;

/// <summary>Runs a child process with output captured, optional standard input and a timeout.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="args"/> and extra environment variables.</summary>
    public static CliRunner.Result Run(string fileName, IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return Run(start, null, timeout);
    }

    /// <summary>Runs <paramref name="start"/> (its output redirected here), writing <paramref name="input"/> to stdin when given.</summary>
    public static CliRunner.Result Run(ProcessStartInfo start, string? input, TimeSpan timeout)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = input is not null;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout}");
        }
        process.WaitForExit();
        return new CliRunner.Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
