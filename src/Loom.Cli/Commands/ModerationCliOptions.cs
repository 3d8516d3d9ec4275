using System.CommandLine;
using Loom.Core;
using Loom.Data;
using Loom.Safety;

namespace Loom.Cli.Commands;

/// <summary>
/// The moderation flags <c>loom sample</c> and <c>loom chat</c> share, mapped onto <see cref="ModerationOptions"/>. By
/// default outputs are reviewed for personal data and flags are reported on stderr; nothing is changed.
/// </summary>
public sealed class ModerationCliOptions
{
    public Option<string> Mode { get; } = new("--moderation")
    {
        Description = "What flagged text gets: flag (report only), redact, block, or off", DefaultValueFactory = _ => "flag"
    };
    public Option<string[]> CategoryActions { get; } = new("--moderation-action")
    {
        Description = "CATEGORY=ACTION for one category, e.g. pii.payment_card=block (repeatable)", AllowMultipleArgumentsPerToken = false
    };
    public Option<string?> BlockList { get; } = new("--block-list") { Description = "A file of words or phrases to flag, one per line" };
    public Option<string[]> BlockPatterns { get; } = new("--block-pattern")
    {
        Description = "A .NET regular expression to flag (repeatable)", AllowMultipleArgumentsPerToken = false
    };
    public Option<string?> MemorizationData { get; } = new("--memorization-data")
    {
        Description = "Training text (file or data set name): flag outputs that copy it verbatim"
    };
    public Option<int> MemorizationWords { get; } = new("--memorization-words")
    {
        Description = "Shortest copied span that counts as memorization (words)", DefaultValueFactory = _ => 8
    };
    public Option<double> MinScore { get; } = new("--moderation-min-score")
    {
        Description = "Flags scoring below this are reported but never redact or block", DefaultValueFactory = _ => 0.5
    };
    public Option<bool> NoPersonalData { get; } = new("--no-pii") { Description = "Do not look for e-mails, phones, cards, IBANs" };

    public IEnumerable<Option> All => [Mode, CategoryActions, BlockList, BlockPatterns, MemorizationData, MemorizationWords,
        MinScore, NoPersonalData];

    /// <summary>The moderator the flags ask for; null for <c>--moderation off</c>.</summary>
    public ContentModerator? Build(ParseResult parse) => Options(parse) is { } options ? new ContentModerator(options) : null;

    /// <summary>The moderation options the flags ask for; null for <c>--moderation off</c>.</summary>
    public ModerationOptions? Options(ParseResult parse)
    {
        string mode = parse.GetValue(Mode)!.Trim().ToLowerInvariant();
        if (mode == "off")
            return null;
        var actions = new Dictionary<string, ModerationAction>(StringComparer.Ordinal);
        foreach (var spec in parse.GetValue(CategoryActions) ?? [])
        {
            var parts = spec.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0)
                throw new LoomUsageException($"--moderation-action: expected CATEGORY=ACTION (e.g. pii.email=redact), got '{spec}'");
            actions[parts[0]] = ParseAction(parts[1], "--moderation-action");
        }
        string? training = parse.GetValue(MemorizationData) is { } data ? ReadText(data) : null;
        var options = new ModerationOptions
        {
            Action = ParseAction(mode, "--moderation"),
            Actions = actions,
            DetectPersonalData = !parse.GetValue(NoPersonalData),
            BlockedTerms = parse.GetValue(BlockList) is { } list ? ReadBlockList(list) : [],
            BlockedPatterns = parse.GetValue(BlockPatterns) ?? [],
            TrainingText = training,
            TrainingTextSource = parse.GetValue(MemorizationData) ?? "training text",
            MemorizationWords = parse.GetValue(MemorizationWords),
            MinScore = parse.GetValue(MinScore),
        };
        options.Validate();
        return options;
    }

    /// <summary>Reports a reviewed output on stderr when anything was found:
    /// <c>loom: sample 2 redacted: pii.email 0.95 at 4+17</c>.</summary>
    public static void Report(ModerationResult result, string what)
    {
        if (result.Flagged)
            Console.Error.WriteLine($"loom: {what} {result.Summary()}");
    }

    /// <summary>What is shown in place of a blocked output, so nothing disappears without a trace.</summary>
    public static string Placeholder(ModerationResult result) =>
        $"[BLOCKED {string.Join(", ", result.Flags.Select(f => f.Category).Distinct())}]";

    private static ModerationAction ParseAction(string value, string flag) => value.Trim().ToLowerInvariant() switch
    {
        "flag" => ModerationAction.Flag,
        "redact" => ModerationAction.Redact,
        "block" => ModerationAction.Block,
        _ => throw new LoomUsageException(
            $"{flag}: expected flag, redact or block{(flag == "--moderation" ? " (or off)" : "")}, got '{value}'"),
    };

    /// <summary>Non-empty lines of the file that do not start with <c>#</c>.</summary>
    private static List<string> ReadBlockList(string path)
    {
        try
        {
            return TextFile.ReadLines(path).Where(l => !l.StartsWith('#')).ToList();
        }
        catch (LoomDataException e)
        {
            throw new LoomUsageException($"--block-list: {e.Message}", e);
        }
    }

    private static string ReadText(string spec)
    {
        DataSource source;
        try
        {
            source = DataCatalog.Resolve(spec);
        }
        catch (LoomException e) when (e.Option == "Data")
        {
            throw new LoomUsageException($"--memorization-data: {e.Problem}", e);
        }
        if (source.Kind != DatasetKind.Text || source.Files.Count == 0)
            throw new LoomUsageException($"--memorization-data: '{spec}' is not a text file or a text data set");
        return TextFile.Read(source.Files[0]);
    }
}
