namespace Loom.Safety;

/// <summary>
/// The moderation stage's answer for one output. <see cref="Text"/> is what may be shown: the original text (flag), the
/// text with flagged spans replaced (redact) or empty (block). <see cref="Flags"/> always lists every finding, with
/// positions in the original text, sorted by position.
/// </summary>
public sealed record ModerationResult(string Text, IReadOnlyList<ContentFlag> Flags, bool Redacted, bool Blocked)
{
    /// <summary>Whether any detector found anything.</summary>
    public bool Flagged => Flags.Count > 0;

    /// <summary>One line for a console or a log, e.g. <c>blocked: pii.payment_card 0.95 at 12+19</c>.</summary>
    public string Summary()
    {
        string verdict = ModerationJson.Verdict(this);
        if (!Flagged) return verdict;
        return verdict + ": " + string.Join("; ", Flags.Select(f =>
            $"{f.Category} {f.Score:0.##} at {f.Start}+{f.Length}" + (f.Detail is null ? "" : $" ({f.Detail})")));
    }
}
