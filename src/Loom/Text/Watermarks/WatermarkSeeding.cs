namespace Loom.Text.Watermarks;

/// <summary>What seeds the green list of a position (Kirchenbauer et al. 2023 and their follow-up).</summary>
public enum WatermarkSeeding
{
    /// <summary>The key and the previous token seed the green list: one list per context ("LeftHash", h = 1).</summary>
    PreviousToken,

    /// <summary>The key, the four previous tokens (through a min-hash, so reordering them changes nothing) and the candidate
    /// token itself seed the list; a candidate is green when it is in its own list ("SelfHash" of "On the Reliability of
    /// Watermarks for Large Language Models", h = 4).</summary>
    SelfHash,
}
