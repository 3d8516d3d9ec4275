namespace Loom.Safety;

/// <summary>What moderation does with an output that has a flag at or above <see cref="ModerationOptions.MinScore"/>.</summary>
public enum ModerationAction
{
    /// <summary>Return the output unchanged, with its flags.</summary>
    Flag,
    /// <summary>Replace each flagged span with <c>[REDACTED category]</c>, and return the flags.</summary>
    Redact,
    /// <summary>Withhold the whole output; the caller gets the flags and says that it was blocked (never a silent drop).</summary>
    Block,
}
