using Loom.Core;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>What a split does with the delimiters it finds (HF's SplitDelimiterBehavior).</summary>
public enum SplitBehavior
{
    /// <summary>Delimiters are dropped.</summary>
    Removed,

    /// <summary>Each delimiter is a piece of its own.</summary>
    Isolated,

    /// <summary>A delimiter joins the piece before it.</summary>
    MergedWithPrevious,

    /// <summary>A delimiter joins the piece after it.</summary>
    MergedWithNext,

    /// <summary>Adjacent delimiters form one piece.</summary>
    Contiguous,
}

/// <summary>Cuts a piece at delimiter matches according to a <see cref="SplitBehavior"/>.</summary>
public static class SplitBehaviors
{
    /// <summary>The behaviour named in tokenizer.json ("Isolated", …).</summary>
    public static SplitBehavior Parse(string? name, string path) => name switch
    {
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        _ => throw new LoomDataException(
            $"{path}: split behavior '{name ?? "missing"}' is not supported "
            + "(supported: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)"),
    };

    /// <summary>Appends the pieces of <paramref name="text"/> to <paramref name="output"/>, given the delimiter
    /// <paramref name="matches"/> (sorted, non-overlapping); <paramref name="invert"/> makes the matches the content and
    /// the text between them the delimiters.</summary>
    public static void Apply(
        string text, List<(int Start, int End)> matches, SplitBehavior behavior, bool invert, List<string> output)
    {
        if (matches.Count == 0 && !invert)
        {
            if (text.Length > 0)
                output.Add(text);
            return;
        }
        var spans = new List<(int Start, int End, bool Delimiter)>(matches.Count * 2 + 1);
        int last = 0;
        foreach (var (start, end) in matches)
        {
            if (start > last)
                spans.Add((last, start, invert));
            spans.Add((start, end, !invert));
            last = end;
        }
        if (last < text.Length)
            spans.Add((last, text.Length, invert));

        var pieces = Group(spans, behavior);
        foreach (var (start, end) in pieces)
            if (end > start)
                output.Add(text[start..end]);
    }

    private static List<(int Start, int End)> Group(List<(int Start, int End, bool Delimiter)> spans, SplitBehavior behavior)
    {
        var pieces = new List<(int Start, int End)>(spans.Count);
        switch (behavior)
        {
            case SplitBehavior.Removed:
                pieces.AddRange(spans.Where(s => !s.Delimiter).Select(s => (s.Start, s.End)));
                break;
            case SplitBehavior.Isolated:
                pieces.AddRange(spans.Select(s => (s.Start, s.End)));
                break;
            case SplitBehavior.MergedWithPrevious:
                bool previousDelimiter = false;
                foreach (var s in spans)
                {
                    if (s.Delimiter && !previousDelimiter && pieces.Count > 0)
                        pieces[^1] = (pieces[^1].Start, s.End);
                    else
                        pieces.Add((s.Start, s.End));
                    previousDelimiter = s.Delimiter;
                }
                break;
            case SplitBehavior.MergedWithNext:
                bool nextDelimiter = false;
                for (int i = spans.Count - 1; i >= 0; i--)
                {
                    var s = spans[i];
                    if (s.Delimiter && !nextDelimiter && pieces.Count > 0)
                        pieces[^1] = (s.Start, pieces[^1].End);
                    else
                        pieces.Add((s.Start, s.End));
                    nextDelimiter = s.Delimiter;
                }
                pieces.Reverse();
                break;
            case SplitBehavior.Contiguous:
                bool previous = false;
                foreach (var s in spans)
                {
                    if (s.Delimiter && previous && pieces.Count > 0)
                        pieces[^1] = (pieces[^1].Start, s.End);
                    else
                        pieces.Add((s.Start, s.End));
                    previous = s.Delimiter;
                }
                break;
        }
        return pieces;
    }
}
