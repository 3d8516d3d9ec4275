namespace Loom.Evaluation.Text;

/// <summary>Counting n-grams of token or character sequences (joined with U+0001, which no token contains after tokenization).</summary>
public static class NGramCounts
{
    public static Dictionary<string, int> Of(IReadOnlyList<string> tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Count; i++)
        {
            var key = n == 1 ? tokens[i] : string.Join('\u0001', tokens.Skip(i).Take(n));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    public static Dictionary<string, int> OfChars(string text, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= text.Length; i++)
        {
            var key = text.Substring(i, n);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>Σ min(a[g], b[g]): the clipped matches of two n-gram multisets.</summary>
    public static int Overlap(Dictionary<string, int> a, Dictionary<string, int> b)
    {
        int total = 0;
        foreach (var (gram, count) in a)
            if (b.TryGetValue(gram, out var other))
                total += Math.Min(count, other);
        return total;
    }

    internal static void RequirePairs<T>(IReadOnlyList<string> hypotheses, IReadOnlyList<T> references, string metric)
    {
        if (hypotheses is null || references is null)
            throw new Core.LoomDataException($"{metric}: hypotheses and references are required");
        if (hypotheses.Count == 0)
            throw new Core.LoomDataException($"{metric}: no hypotheses to score");
        if (hypotheses.Count != references.Count)
            throw new Core.LoomDataException(
                $"{metric}: {hypotheses.Count} hypotheses but {references.Count} references; give one reference (set) per hypothesis");
    }
}
