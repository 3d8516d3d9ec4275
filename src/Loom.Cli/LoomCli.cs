using System.CommandLine;
using Loom.Cli.Commands;
using Loom.Core;

namespace Loom.Cli;

/// <summary>
/// The <c>loom</c> command: a thin shell over the library. Exit codes: 0 ok, 1 failure, 2 bad usage, 128 + the signal
/// (130 for Ctrl-C, 143 for SIGTERM) when a signal stopped the work early (it saved what it had; <c>--resume</c> goes on).
/// Errors print one line naming the file or option and what is wrong; <c>--verbose</c> adds the stack trace.
/// </summary>
public static class LoomCli
{
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Print stack traces with errors", Recursive = true };

    public static RootCommand Build()
    {
        var root = new RootCommand("Loom: train, sample, score and inspect generative models.");
        root.Options.Add(Verbose);
        foreach (var command in CommandCatalog.All())
            root.Subcommands.Add(command);
        return root;
    }

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var error = stderr ?? Console.Error;
        bool verbose = args.Contains("--verbose");
        CliContext.InstallSignalHandlers();
        Data.DataSearchPaths.DefaultDownloadProgress ??= new DownloadProgressPrinter(Console.Error);
        CliContext.CommandLine = "loom " + string.Join(' ', args.Select(a => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"\"{a}\"" : a));
        try
        {
            var root = Build();
            var parse = root.Parse(args);
            CliContext.OptionFlags = new OptionFlags(parse.CommandResult.Command);
            if (parse.Errors.Count > 0)
            {
                var first =
                    parse.Errors.FirstOrDefault(e => e.Message.Contains("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
                error.WriteLine($"error: {first.Message} (see 'loom {string.Join(' ', CommandPath(parse))} --help')");
                return 2;
            }
            int code = parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
            // A run a signal stopped saved and returned normally; its exit code still tells scripts it did not finish.
            return code == 0 && CliContext.StoppedBySignal is { } signal ? 128 + signal : code;
        }
        catch (Exception e)
        {
            return Report(e, error, verbose);
        }
    }

    /// <summary>Prints an exception as one line (plus the stack trace when verbose) and returns the exit code.</summary>
    public static int Report(Exception e, TextWriter error, bool verbose)
    {
        var root = Unwrap(e);
        if (root is LoomException loom)
        {
            error.WriteLine($"error: {CliContext.OptionFlags?.Describe(loom) ?? loom.Message}");
            if (verbose) error.WriteLine(e);
            return ExitCode(loom);
        }
        if (root is OperationCanceledException)
        {
            error.WriteLine("error: cancelled");
            return 1;
        }
        string first = root.Message.Split('\n')[0].Trim();
        string line = root switch
        {
            // The file system's messages name the path: "No space left on device : '/x/model.safetensors'".
            IOException or UnauthorizedAccessException => first,
            OutOfMemoryException or InsufficientMemoryException => $"not enough memory ({first})",
            System.Runtime.InteropServices.ExternalException when first.Contains("allocate", StringComparison.Ordinal) =>
                $"not enough memory: {first[(first.IndexOf("you tried", StringComparison.Ordinal) is >= 0 and var i ? i : 0)..]}",
            _ => $"{root.GetType().Name}: {first}" + (verbose ? "" : " (a bug in Loom; --verbose prints the stack trace)"),
        };
        error.WriteLine($"error: {line}");
        if (verbose) error.WriteLine(e);
        return 1;
    }

    /// <summary>2 for bad usage (<see cref="LoomUsageException"/>), 1 for any other failure Loom reports.</summary>
    public static int ExitCode(LoomException error) => error is LoomUsageException ? 2 : 1;

    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException or System.Reflection.TargetInvocationException or TypeInitializationException
            && e.InnerException is not null)
            e = e.InnerException!;
        return e;
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            if (r.Command is not RootCommand) names.Insert(0, r.Command.Name);
        return names;
    }
}
