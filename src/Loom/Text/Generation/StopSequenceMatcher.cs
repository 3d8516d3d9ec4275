namespace Loom.Text.Generation;

/// <summary>
/// Watches streamed text for stop sequences that may straddle token boundaries. <see cref="Push"/> returns only text
/// that can no longer become part of a stop sequence: a suffix that is a prefix of some stop string is held back until
/// the next piece decides it. When a stop string appears, the text before it is released and the matcher is stopped.
/// </summary>
public sealed class StopSequenceMatcher
{
    private readonly string[] stops;
    private string pending = "";

    public StopSequenceMatcher(IEnumerable<string> stopSequences) =>
        stops = stopSequences.Where(s => !string.IsNullOrEmpty(s)).Distinct().ToArray();

    public bool Stopped { get; private set; }

    /// <summary>The stop string that ended the text, if any.</summary>
    public string? Matched { get; private set; }

    /// <summary>Adds decoded text; returns what is safe to show now.</summary>
    public string Push(string piece)
    {
        if (Stopped) return "";
        pending += piece;
        if (stops.Length == 0)
        {
            var all = pending;
            pending = "";
            return all;
        }
        int first = -1;
        foreach (var stop in stops)
        {
            int at = pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
                Matched = stop;
            }
        }
        if (first >= 0)
        {
            Stopped = true;
            var before = pending[..first];
            pending = "";
            return before;
        }
        int hold = HeldBack(pending);
        var safe = pending[..^hold];
        pending = pending[^hold..];
        return safe;
    }

    /// <summary>Releases held-back text at the end of generation (it did not complete a stop string).</summary>
    public string Flush()
    {
        if (Stopped) return "";
        var rest = pending;
        pending = "";
        return rest;
    }

    /// <summary>Length of the longest suffix of <paramref name="text"/> that is a proper prefix of a stop string.</summary>
    private int HeldBack(string text)
    {
        int best = 0;
        foreach (var stop in stops)
            for (int n = Math.Min(stop.Length - 1, text.Length); n > best; n--)
                if (string.CompareOrdinal(text, text.Length - n, stop, 0, n) == 0)
                {
                    best = n;
                    break;
                }
        return best;
    }
}
