using System.Text;

namespace Loom.Safety;

/// <summary>
/// The moderation stage every output path runs: the detectors <see cref="ModerationOptions"/> asks for (plus any the
/// caller adds), then the policy — flag, redact or block — per category. Thread-safe; build once, call per output.
/// </summary>
public sealed class ContentModerator
{
    private readonly ModerationOptions options;

    public ContentModerator(ModerationOptions options, IEnumerable<IContentDetector>? extraDetectors = null)
    {
        options.Validate();
        this.options = options.Clone();
        var detectors = new List<IContentDetector>();
        if (options.DetectPersonalData)
            detectors.AddRange([new EmailDetector(), new PhoneNumberDetector(), new PaymentCardDetector(), new IbanDetector()]);
        if (options.BlockedTerms.Count > 0)
            detectors.Add(new BlockedTermDetector(options.BlockedTerms));
        if (options.BlockedPatterns.Count > 0)
            detectors.Add(new BlockedPatternDetector(options.BlockedPatterns));
        if (options.TrainingText is { } training)
            detectors.Add(new MemorizationDetector(training, options.MemorizationWords, options.TrainingTextSource));
        if (extraDetectors is not null)
            detectors.AddRange(extraDetectors);
        Detectors = detectors;
    }

    public IReadOnlyList<IContentDetector> Detectors { get; }

    /// <summary>Whether some category's action could change an output (redact or block): a streaming caller must then hold
    /// the text back until it has been reviewed.</summary>
    public bool MayChangeOutput => options.Action != ModerationAction.Flag || options.Actions.Values.Any(a => a != ModerationAction.Flag);

    public ModerationResult Review(string text)
    {
        var flags = Detectors.SelectMany(d => d.Detect(text)).OrderBy(f => f.Start).ThenByDescending(f => f.Length).ToList();
        var acting = flags.Where(f => f.Score >= options.MinScore).ToList();
        if (acting.Any(f => options.ActionFor(f.Category) == ModerationAction.Block))
            return new ModerationResult("", flags, Redacted: false, Blocked: true);
        var redact = acting.Where(f => options.ActionFor(f.Category) == ModerationAction.Redact).ToList();
        if (redact.Count == 0)
            return new ModerationResult(text, flags, Redacted: false, Blocked: false);
        return new ModerationResult(Redact(text, redact), flags, Redacted: true, Blocked: false);
    }

    /// <summary>The text with each flagged span (overlapping spans merged) replaced by <c>[REDACTED category]</c>.</summary>
    private static string Redact(string text, List<ContentFlag> flags)
    {
        var result = new StringBuilder();
        int position = 0;
        int i = 0;
        while (i < flags.Count)
        {
            int start = flags[i].Start, end = start + flags[i].Length;
            var categories = new SortedSet<string>(StringComparer.Ordinal) { flags[i].Category };
            for (i++; i < flags.Count && flags[i].Start < end; i++)
            {
                end = Math.Max(end, flags[i].Start + flags[i].Length);
                categories.Add(flags[i].Category);
            }
            result.Append(text, position, start - position).Append("[REDACTED ").Append(string.Join(", ", categories)).Append(']');
            position = end;
        }
        return result.Append(text, position, text.Length - position).ToString();
    }
}
