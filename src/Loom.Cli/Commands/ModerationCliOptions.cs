using System.CommandLine;
using Loom.Core;
using Loom.Data;
using Loom.Safety;
using Loom.Safety.Images;

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
        Description = "Training data: a text (file or data set name) whose verbatim copies are flagged, or for image models "
            + "fashion-mnist or a folder of PNGs whose near-copies are flagged, naming the training image"
    };
    public Option<double?> MemorizationDistance { get; } = new("--memorization-distance")
    {
        Description = "Images: RMS pixel distance (0-1) at or below which a sample is a near-copy (default: calibrated on the data)"
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
        MemorizationDistance, MinScore, NoPersonalData];

    /// <summary>The moderator the flags ask for; null for <c>--moderation off</c>.</summary>
    public ContentModerator? Build(ParseResult parse, bool imagesAllowed = false) =>
        Options(parse, imagesAllowed) is { } options ? new ContentModerator(options) : null;

    /// <summary>
    /// The moderation options the flags ask for; null for <c>--moderation off</c>. Training images given to
    /// <c>--memorization-data</c> are left to <see cref="ImageMemorization"/>, or refused unless <paramref name="imagesAllowed"/>.
    /// </summary>
    public ModerationOptions? Options(ParseResult parse, bool imagesAllowed = false)
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
        string? data = parse.GetValue(MemorizationData);
        if (data is not null && IsImageData(data) && !imagesAllowed)
            throw new LoomUsageException($"--memorization-data: '{data}' holds images, and this command's outputs are text");
        if (parse.GetValue(MemorizationDistance) is not null && (data is null || !IsImageData(data)))
            throw new LoomUsageException("--memorization-distance: applies to training images given to --memorization-data");
        string? training = data is not null && !IsImageData(data) ? ReadText(data) : null;
        var options = new ModerationOptions
        {
            Action = ParseAction(mode, "--moderation"),
            Actions = actions,
            DetectPersonalData = !parse.GetValue(NoPersonalData),
            BlockedTerms = parse.GetValue(BlockList) is { } list ? ReadBlockList(list) : [],
            BlockedPatterns = parse.GetValue(BlockPatterns) ?? [],
            TrainingText = training,
            TrainingTextSource = training is null ? "training text" : data!,
            MemorizationWords = parse.GetValue(MemorizationWords),
            MinScore = parse.GetValue(MinScore),
        };
        options.Validate();
        return options;
    }

    /// <summary>True when <paramref name="data"/> names training images (fashion-mnist or a folder) rather than a text.</summary>
    public static bool IsImageData(string data) => TrainingData.IsFashionMnist(data) || Directory.Exists(data);

    /// <summary>
    /// The near-copy check for generated images the flags ask for: null without training images or with
    /// <c>--moderation off</c>. Flagged images are withheld when the memorization category's action is redact or block.
    /// </summary>
    public ImageMemorizationDetector? ImageMemorization(ParseResult parse)
    {
        if (ImageMemorizationData(parse) is not { } data)
            return null;
        var memorization = ImageMemorizationOptions(parse, Options(parse, imagesAllowed: true));
        try
        {
            var detector = ImageMemorizationDetector.Load(data, memorization);
            Console.Error.WriteLine($"loom: checking images for near-copies of {detector.TrainingCount} {detector.Source} images (RMS "
                + $"distance ≤ {detector.Threshold:F4}{(memorization.Threshold is null ? ", calibrated on them" : "")})");
            return detector;
        }
        catch (LoomException e) when (e.Option is "Data" or "Threshold" or "TrainingImages")
        {
            throw new LoomUsageException($"--memorization-{(e.Option == "Threshold" ? "distance" : "data")}: {e.Problem}", e);
        }
    }

    /// <summary>The training images for the near-copy check: null without them or with <c>--moderation off</c>.</summary>
    public string? ImageMemorizationData(ParseResult parse) =>
        parse.GetValue(MemorizationData) is { } data && IsImageData(data) && !IsOff(parse) ? data : null;

    /// <summary>The near-copy check's threshold and action (the memorization category's action: redact or block withhold).</summary>
    /// <param name="parse">The command line.</param>
    /// <param name="moderation">What <see cref="Options"/> gave for it (null: moderation off).</param>
    public ImageMemorizationOptions ImageMemorizationOptions(ParseResult parse, ModerationOptions? moderation) => new()
    {
        Threshold = parse.GetValue(MemorizationDistance),
        Action = moderation?.ActionFor(ContentCategories.Memorization) ?? ModerationAction.Flag,
    };

    private bool IsOff(ParseResult parse) => parse.GetValue(Mode)!.Trim().Equals("off", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reports the near-copies among generated images on stderr:
    /// <c>loom: image 3 withheld: memorization 0.93, near-copy of fashion-mnist image 1234 (RMS distance 0.0100 ≤ 0.0400)</c>.</summary>
    public static void Report(ImageMemorizationReview review)
    {
        foreach (var flag in review.Flags)
            Console.Error.WriteLine($"loom: image {flag.Image + 1} {(review.Withheld.Contains(flag.Image) ? "withheld" : "flagged")}: "
                + $"{flag.Category} {flag.Score:F2}, {flag.Detail}");
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
