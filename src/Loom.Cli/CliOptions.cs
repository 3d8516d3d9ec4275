using System.CommandLine;
using Loom.Core;

namespace Loom.Cli;

/// <summary>Options shared by several commands, each created fresh per command (System.CommandLine owns them).</summary>
public static class CliOptions
{
    public static Option<long> Seed() =>
        new("--seed") { Description = "Seed for every random number generator", DefaultValueFactory = _ => 0 };

    public static Option<string> Device() =>
        new("--device") { Description = "auto | cpu | cuda | cuda:N", DefaultValueFactory = _ => "auto" };

    public static Option<string> Dtype() =>
        new("--dtype")
        {
            Description = "Compute dtype of a transformer text model: float32 | bfloat16 | float16 (weights converted on load)",
            DefaultValueFactory = _ => "float32",
        };

    public static Option<string> Out(string description, bool required = true) =>
        new("--out", "-o") { Description = description, Required = required };

    public static Option<string> Data(string description) => new("--data") { Description = description, Required = true };

    public static Argument<string> Checkpoint() =>
        new("checkpoint") { Description = "Checkpoint folder (holds config.json and model.safetensors)" };

    /// <summary>Rejects values outside a range with a usage error naming the option.</summary>
    public static int Positive(ParseResult parse, Option<int> option)
    {
        int value = parse.GetValue(option);
        if (value <= 0)
            throw new LoomUsageException($"{option.Name}: must be positive, got {value}");
        return value;
    }

    public static double PositiveDouble(ParseResult parse, Option<double> option)
    {
        double value = parse.GetValue(option);
        if (!(value > 0) || !double.IsFinite(value))
            throw new LoomUsageException($"{option.Name}: must be a positive number, got {value}");
        return value;
    }
}

/// <summary>Process-wide facts the commands record in model cards.</summary>
public static class CliContext
{
    /// <summary>The command line as the user typed it (<c>loom ...</c>).</summary>
    public static string CommandLine { get; set; } = "loom";

    /// <summary>Cancelled by Ctrl-C; long work finishes its step, saves, and returns.</summary>
    public static CancellationToken Cancellation => Source.Token;

    private static readonly CancellationTokenSource Source = new();

    /// <summary>How the running command shows the library's option names (set when a command line is parsed).</summary>
    public static OptionFlags? OptionFlags
    {
        get => CurrentOptionFlags.Value;
        set => CurrentOptionFlags.Value = value;
    }

    private static readonly AsyncLocal<OptionFlags?> CurrentOptionFlags = new();

    /// <summary>The number of the signal that asked the work to stop (2 SIGINT, 15 SIGTERM), or null.</summary>
    public static int? StoppedBySignal { get; private set; }

    // Ctrl-C (SIGINT) and SIGTERM (kill, systemd, container stop) both ask long work to stop and save.
    // A second signal is not intercepted, so it ends the process at once.
    private static readonly System.Runtime.InteropServices.PosixSignalRegistration[] Signals =
    [
        System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal),
        System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal),
    ];

    private static void OnSignal(System.Runtime.InteropServices.PosixSignalContext context)
    {
        if (Source.IsCancellationRequested)
            return;
        context.Cancel = true;
        Console.Error.WriteLine($"loom: {context.Signal} received; stopping gracefully (training saves after its current step, "
            + "a server drains its requests; send it again to abort)");
        StoppedBySignal = context.Signal == System.Runtime.InteropServices.PosixSignal.SIGINT ? 2 : 15;
        Source.Cancel();
    }

    /// <summary>Installs the signal handlers (done when the CLI starts).</summary>
    public static void InstallSignalHandlers() => _ = Signals.Length;
}
