namespace Loom.Evaluation.Text;

/// <summary>The longest verbatim word span a sample shares with the training text.</summary>
public sealed record CopiedSpan(int Sample, int Words, string Text);

/// <summary>Summary of verbatim copying over a set of samples.</summary>
/// <param name="FractionWithCopy">Share of samples holding at least one copied n-gram.</param>
/// <param name="CopiedNGramFraction">Share of all sample n-grams that occur in the training text.</param>
/// <param name="LongestPerSample">The longest copied span of each sample (0 words when none).</param>
public sealed record CopyReport(int N, double FractionWithCopy, double CopiedNGramFraction, IReadOnlyList<CopiedSpan> LongestPerSample)
{
    public CopiedSpan Longest => LongestPerSample.MaxBy(s => s.Words)!;
}

/// <summary>
/// Finds exact copies of long word n-grams (default 8 words) of a training text in generated text: the training
/// n-grams go into a hash set once, each sample's n-grams are looked up, and runs of consecutive hits are joined and
/// verified against the training text as one span. Words are whitespace-separated tokens; case and punctuation count.
/// </summary>
public sealed class NGramCopyDetector
{
    private readonly HashSet<string> trainingGrams = new(StringComparer.Ordinal);
    private readonly string normalizedTraining;

    public NGramCopyDetector(string trainingText, int n = 8)
    {
        if (n < 1)
            throw new Core.LoomUsageException($"copy detector: n must be at least 1, got {n}");
        N = n;
        var words = Words(trainingText);
        if (words.Length < n)
            throw new Core.LoomDataException($"copy detector: the training text has {words.Length} words, fewer than n = {n}");
        for (int i = 0; i + n <= words.Length; i++)
            trainingGrams.Add(string.Join(' ', words, i, n));
        normalizedTraining = " " + string.Join(' ', words) + " ";
    }

    public int N { get; }

    public CopyReport Analyze(IReadOnlyList<string> samples)
    {
        if (samples is null || samples.Count == 0)
            throw new Core.LoomDataException("copy detector: no samples");
        var longest = new List<CopiedSpan>();
        long grams = 0, copied = 0;
        int withCopy = 0;
        for (int s = 0; s < samples.Count; s++)
        {
            var words = Words(samples[s]);
            var best = new CopiedSpan(s, 0, "");
            int i = 0;
            while (i + N <= words.Length)
            {
                grams++;
                if (!trainingGrams.Contains(string.Join(' ', words, i, N)))
                {
                    i++;
                    continue;
                }
                // A run of consecutive hits: extend while the next window also hits, then verify the joined span.
                int end = i + N;
                while (end < words.Length && trainingGrams.Contains(string.Join(' ', words, end - N + 1, N)))
                    end++;
                copied += end - i - N + 1;
                grams += end - i - N;
                var span = VerifiedSpan(words, i, end);
                if (span.Words > best.Words)
                    best = span with { Sample = s };
                i = end - N + 1;
            }
            if (best.Words > 0) withCopy++;
            longest.Add(best);
        }
        return new CopyReport(N, withCopy / (double)samples.Count, grams == 0 ? 0 : copied / (double)grams, longest);
    }

    /// <summary>The span words[start..end) if it occurs verbatim; otherwise its longest verified prefix (at least one n-gram).</summary>
    private CopiedSpan VerifiedSpan(string[] words, int start, int end)
    {
        for (int stop = end; stop >= start + N; stop--)
        {
            var text = string.Join(' ', words, start, stop - start);
            if (stop == start + N || normalizedTraining.Contains(" " + text + " ", StringComparison.Ordinal))
                return new CopiedSpan(0, stop - start, text);
        }
        return new CopiedSpan(0, N, string.Join(' ', words, start, N));
    }

    /// <summary>Index (in whitespace-separated words) where <paramref name="span"/> first occurs verbatim in the training text,
    /// or -1; the span's words are compared as <see cref="Analyze"/> joins them, with single spaces.</summary>
    public long WordIndexOf(string span)
    {
        int at = normalizedTraining.IndexOf(" " + span + " ", StringComparison.Ordinal);
        if (at < 0) return -1;
        long spaces = 0;
        for (int i = 1; i <= at; i++)
            if (normalizedTraining[i] == ' ') spaces++;
        return spaces;
    }

    private static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
