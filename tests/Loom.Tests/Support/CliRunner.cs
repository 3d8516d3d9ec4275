using System.Diagnostics;

namespace Loom.Tests.Support;

/// <summary>Runs the real <c>loom</c> binary (Loom.Cli.dll built beside the tests) as a child process.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static string CliDll { get; } = FindCli();

    public static Result Run(string workingDirectory, params string[] args) => Run(workingDirectory, TimeSpan.FromMinutes(5), args);

    public static Result Run(string workingDirectory, TimeSpan timeout, params string[] args) =>
        RunWithInput(workingDirectory, timeout, "", args);

    /// <summary>
    /// How every test starts the CLI (also for tests that signal the process themselves): output redirected, and one
    /// libtorch thread unless OMP_NUM_THREADS is set — CI-sized models gain nothing from more, and on a busy 2-core
    /// machine OpenMP's spinning threads made runs 10–20× slower (a 50-second quickstart took over 5 minutes). Runs
    /// compared for identical weights must use the same thread count, so they all start here.
    /// </summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
            start.Environment["OMP_NUM_THREADS"] = "1";
        start.ArgumentList.Add(CliDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>Runs the CLI with <paramref name="input"/> on its standard input (then closed).</summary>
    public static Result RunWithInput(string workingDirectory, TimeSpan timeout, string input, params string[] args) =>
        ProcessRunner.Run(StartInfo(workingDirectory, args), input, timeout);

    private static string FindCli()
    {
        // The test project references Loom.Cli, so its assembly is built beside the tests.
        var beside = Path.Combine(AppContext.BaseDirectory, "Loom.Cli.dll");
        if (File.Exists(beside) && File.Exists(Path.Combine(AppContext.BaseDirectory, "Loom.Cli.runtimeconfig.json")))
            return beside;
        var config =
            AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var built = Path.Combine(RepoPaths.Root, "src", "Loom.Cli", "bin", config, "net10.0", "Loom.Cli.dll");
        if (File.Exists(built))
            return built;
        throw new FileNotFoundException("Loom.Cli.dll not found beside the tests nor at " + built);
    }
}
