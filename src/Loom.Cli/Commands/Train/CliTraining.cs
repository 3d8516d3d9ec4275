using System.CommandLine;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Training;
using Loom.Training.Runs;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// What every <c>loom train KIND</c> built on the library's training API shares: the options every run has (--out,
/// --overwrite, --config, and --resume and --device where the family offers them), the <see cref="TrainingContext"/> they become (a
/// progress bar on standard error, notes on standard output, Ctrl-C/SIGTERM as cancellation), and the report of the
/// outcome.
/// </summary>
/// <param name="resumable">Offer --resume (families whose runs save trainer state).</param>
/// <param name="anyDevice">Offer --device; without it runs go on the CPU (fits that gain nothing from a GPU).</param>
public sealed class CliTraining(bool resumable = true, bool anyDevice = true)
{
    public Option<string> Out { get; } = CliOptions.Out("Checkpoint folder to write");
    public Option<bool> Resume { get; } =
        new("--resume") { Description = "Continue the run saved in --out with the recipe it started with" };
    public Option<string?> Config { get; } = new("--config")
    {
        Description = "A recipe file (JSON, as run.json in a checkpoint): the run starts from it and flags override it",
    };
    public Option<bool> Overwrite { get; } = new("--overwrite") { Description = "Replace a checkpoint already in --out with this new run" };
    public Option<string> Device { get; } = CliOptions.Device();

    public IEnumerable<Option> All =>
        new Option?[] { Out, resumable ? Resume : null, Overwrite, Config, anyDevice ? Device : null }.OfType<Option>();

    /// <summary>The recipe JSON from --config (or empty) with the given flags laid over it.</summary>
    public JsonObject Recipe(ParseResult parse, JsonObject flags)
    {
        var path = parse.GetValue(Config);
        if (path is null)
            return flags;
        if (!File.Exists(path))
            throw new LoomUsageException($"--config {path}: no such file");
        JsonObject? file;
        try
        {
            file = JsonNode.Parse(File.ReadAllText(path))?.AsObject();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new LoomDataException($"--config {path}: not a JSON object ({e.Message.Split('\n')[0]})");
        }
        return RecipeJson.Overlay(file ?? throw new LoomDataException($"--config {path}: empty"), flags);
    }

    public TrainingContext Context(ParseResult parse, ConsoleProgress progress, TextWriter console)
    {
        var device = anyDevice ? DeviceSelector.Parse(parse.GetValue(Device)) : DeviceSelector.Parse("cpu");
        TorchRuntime.ConfigureForDevice(device);
        return new TrainingContext
        {
            OutputFolder = Path.GetFullPath(parse.GetValue(Out)!),
            Device = device,
            Resume = resumable && parse.GetValue(Resume),
            Overwrite = parse.GetValue(Overwrite),
            Progress = new TrainingProgressAdapter(progress),
            Messages = new SynchronousProgress<string>(m => console.WriteLine(CliContext.OptionFlags?.DescribeText(m) ?? m)),
            Origin = CliContext.CommandLine,
            Cancellation = CliContext.Cancellation,
        };
    }

    /// <summary>Prints where the checkpoint went, its metrics and the extra files.</summary>
    public static void Report(TrainingOutcome outcome, TrainingContext context, TextWriter console)
    {
        console.WriteLine($"saved {outcome.Model.Kind} checkpoint to {context.OutputFolder}");
        foreach (var (name, value) in outcome.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            console.WriteLine($"  {name,-24} {value:G6}");
        foreach (var file in outcome.Files.Where(File.Exists))
            console.WriteLine($"  {Path.GetFileNameWithoutExtension(file),-24} {file}");
    }
}

/// <summary>
/// Flags that were given on the command line, as JSON properties of a recipe (unset flags are left out); each flag is
/// recorded in <see cref="CliContext.OptionFlags"/>, so errors about the property name the flag.
/// </summary>
public sealed class RecipeFlags(ParseResult parse)
{
    public JsonObject Json { get; } = new();

    public RecipeFlags Add<T>(string property, Option<T> option)
    {
        CliContext.OptionFlags?.Record(property, option.Name);
        var result = parse.GetResult(option);
        if (result is null || result.Implicit)
            return this;
        Json[property] = System.Text.Json.JsonSerializer.SerializeToNode(parse.GetValue(option));
        return this;
    }

    /// <summary>
    /// A property the command itself sets whatever the flags and --config say (<c>loom train cvae</c> sets
    /// <c>conditional</c>); errors about it name <paramref name="shownAs"/>.
    /// </summary>
    public RecipeFlags Set(string property, JsonNode value, string shownAs)
    {
        CliContext.OptionFlags?.Record(property, shownAs);
        Json[property] = value;
        return this;
    }

    /// <summary>A comma-separated list of integers (e.g. --multipliers 1,2,2).</summary>
    public RecipeFlags AddInts(string property, Option<string?> option)
    {
        CliContext.OptionFlags?.Record(property, option.Name);
        var result = parse.GetResult(option);
        if (result is null || result.Implicit || parse.GetValue(option) is not { } text)
            return this;
        try
        {
            Json[property] = new JsonArray(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => (JsonNode)int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        }
        catch (FormatException)
        {
            throw new LoomUsageException($"{option.Name}: expected comma-separated integers, got '{text}'");
        }
        return this;
    }
}
