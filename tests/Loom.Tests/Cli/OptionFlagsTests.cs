using System.CommandLine;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Loom.Cli;
using Loom.Core;
using Loom.Models;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>
/// The library names options as its records do and only the CLI speaks flags: the library assembly holds no flag, every
/// option name the library raises errors about has a flag on some command, and <see cref="OptionFlags"/> shows the flag
/// the running command has.
/// </summary>
public sealed partial class OptionFlagsTests
{
    /// <summary>Options only a library caller sets: no command has a flag for them.</summary>
    private static readonly HashSet<string> LibraryOnly = new(StringComparer.Ordinal)
    {
        "AccumulationSteps", "CalibrationFactor", "CalibrationImages", "CalibrationQuantile", "EvalBatches", "LangevinSteps", "Optimizer",
        "Segments", "Snr", "Splits", "TimelineChannels", "TimelineFeatures",
    };

    [Fact]
    public void The_library_assemblies_hold_no_command_line_flag()
    {
        var flags = new[] { typeof(IGenerativeModel), typeof(Loom.Server.LoomServerOptions) }
            .SelectMany(t => UserStrings(t.Assembly.Location))
            .Where(s => FlagLike().IsMatch(s))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(flags.Count == 0, "Loom.dll or Loom.Server.dll strings that name command-line flags:\n"
            + string.Join("\n", flags));
    }

    [Fact]
    public void The_flag_scan_sees_flags()
    {
        Assert.Matches(FlagLike(), "try a lower --lr");
        Assert.Matches(FlagLike(), "--data: missing");
        Assert.DoesNotMatch(FlagLike(), "a – b");
        Assert.DoesNotMatch(FlagLike(), "x --> y");
    }

    [Fact]
    public void Every_option_the_library_names_in_an_error_has_a_flag_on_some_command()
    {
        var names = OptionNamesInLibraryErrors();
        Assert.Contains("LearningRate", names);
        Assert.Contains("Data", names);
        Assert.Contains("QueueLength", names);
        var commands = AllCommands(LoomCli.Build()).Select(c => new OptionFlags(c)).ToList();
        var missing = names.Where(n => !LibraryOnly.Contains(n) && commands.All(c => c.FlagFor(n) is null))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "option names with no flag on any command (add an alias in OptionFlags.Aliases):\n"
            + string.Join("\n", missing));
        var stale = LibraryOnly.Where(n => !names.Contains(n) || commands.Any(c => c.FlagFor(n) is not null)).ToList();
        Assert.True(stale.Count == 0, "LibraryOnly names that are unused or have a flag: " + string.Join(", ", stale));
    }

    [Fact]
    public void An_option_error_shows_the_flags_of_the_running_command()
    {
        var command = new Command("train-x") { new Option<double>("--lr"), new Option<double>("--beta"), new Option<int>("--iwae") };
        var flags = new OptionFlags(command);
        var error = LoomUsageException.ForOption("Iwae", "the IWAE bound has no KL term to weight; leave Beta at 1");
        Assert.Equal("Iwae", error.Option);
        Assert.Equal("Iwae: the IWAE bound has no KL term to weight; leave Beta at 1", error.Message);
        Assert.Equal("--iwae: the IWAE bound has no KL term to weight; leave --beta at 1", flags.Describe(error));
        Assert.Equal("--lr: must be positive, got 0", flags.Describe(LoomUsageException.ForOption("LearningRate",
            "must be positive, got 0")));
        // A name the command has no flag for stays as the library wrote it; so do words that are no option.
        Assert.Equal("Steps: more than Fashion-MNIST has", flags.Describe(LoomUsageException.ForOption("Steps",
            "more than Fashion-MNIST has")));
        Assert.Equal("try a lower --lr or GradClip", flags.DescribeText("try a lower LearningRate or GradClip"));
        // An error that is not about an option is shown as it is.
        Assert.Equal("x.json: not valid JSON", flags.Describe(new LoomDataException("x.json: not valid JSON")));
    }

    [Fact]
    public void A_recorded_recipe_flag_wins_over_the_kebab_case_name()
    {
        var command = new Command("train-x") { new Option<string>("--kind"), new Option<bool>("--conditional") };
        var flags = new OptionFlags(command);
        flags.Record("conditional", "cvae (conditional)");
        Assert.Equal("cvae (conditional): needs labels", flags.Describe(LoomDataException.ForOption("Conditional", "needs labels")));
        Assert.Equal(2, LoomCli.ExitCode(LoomUsageException.ForOption("A", "b")));
        Assert.Equal(1, LoomCli.ExitCode(LoomDataException.ForOption("A", "b")));
    }

    [Fact]
    public void Recursive_options_of_parent_commands_count()
    {
        var root = new RootCommand { new Option<bool>("--verbose") { Recursive = true } };
        var child = new Command("x");
        root.Subcommands.Add(child);
        Assert.Equal("--verbose", new OptionFlags(child).FlagFor("Verbose"));
        Assert.Null(new OptionFlags(child).FlagFor("Quiet"));
    }

    /// <summary>The first argument of every <c>ForOption(nameof(…)|"…", …)</c> in the libraries' sources (Loom and
    /// Loom.Server).</summary>
    private static SortedSet<string> OptionNamesInLibraryErrors()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var files = new[] { "Loom", "Loom.Server" }.SelectMany(library =>
            Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src", library), "*.cs", SearchOption.AllDirectories));
        foreach (var file in files)
        {
            if (file.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")) continue;
            foreach (Match m in ForOptionName().Matches(File.ReadAllText(file)))
                names.Add(m.Groups[1].Success ? m.Groups[1].Value.Split('.')[^1] : m.Groups[2].Value);
        }
        return names;
    }

    private static IEnumerable<Command> AllCommands(Command command) =>
        new[] { command }.Concat(command.Subcommands.SelectMany(AllCommands));

    private static IEnumerable<string> UserStrings(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil; handle = reader.GetNextHandle(handle))
            yield return reader.GetUserString(handle);
    }

    [GeneratedRegex(@"(^|[\s'(/])--[a-z]")]
    private static partial Regex FlagLike();

    [GeneratedRegex(@"ForOption\((?:nameof\(([\w.]+)\)|""(\w+)"")")]
    private static partial Regex ForOptionName();
}
