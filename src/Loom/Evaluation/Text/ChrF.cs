namespace Loom.Evaluation.Text;

/// <summary>
/// chrF as sacrebleu 2.x computes it by default (Popović 2015): character n-grams of orders 1–6 with whitespace
/// removed, case-sensitive, β = 2. Per order, precision and recall come from clipped n-gram matches; they are averaged
/// over the orders both sides have, and the F_β of the averages is the score (0–100). Corpus chrF sums the match
/// statistics of all sentences first; with several references a sentence uses the one that scores best.
/// </summary>
public static class ChrF
{
    public const int CharOrder = 6;
    public const double Beta = 2;

    public static double Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        NGramCounts.RequirePairs(hypotheses, references, "chrF");
        var sum = new long[3 * CharOrder];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            if (references[i].Count == 0)
                throw new Core.LoomDataException($"chrF: hypothesis {i} has no reference");
            var best = references[i].Select(r => Statistics(hypotheses[i], r)).MaxBy(FScore)!;
            for (int k = 0; k < sum.Length; k++)
                sum[k] += best[k];
        }
        return FScore(sum);
    }

    public static double Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references) =>
        Corpus(hypotheses, references?.Select(r => (IReadOnlyList<string>)[r]).ToList()!);

    public static double Sentence(string hypothesis, IReadOnlyList<string> references) => Corpus([hypothesis], [references]);

    /// <summary>[hyp n-grams, ref n-grams, matches] for each order.</summary>
    private static long[] Statistics(string hypothesis, string reference)
    {
        var hyp = string.Concat(hypothesis.Where(c => !char.IsWhiteSpace(c)));
        var refText = string.Concat(reference.Where(c => !char.IsWhiteSpace(c)));
        var stats = new long[3 * CharOrder];
        for (int n = 1; n <= CharOrder; n++)
        {
            var h = NGramCounts.OfChars(hyp, n);
            var r = NGramCounts.OfChars(refText, n);
            stats[3 * (n - 1)] = Math.Max(0, hyp.Length - n + 1);
            stats[3 * (n - 1) + 1] = Math.Max(0, refText.Length - n + 1);
            stats[3 * (n - 1) + 2] = NGramCounts.Overlap(h, r);
        }
        return stats;
    }

    private static double FScore(long[] stats)
    {
        double precision = 0, recall = 0;
        int orders = 0;
        for (int n = 0; n < CharOrder; n++)
        {
            long hyp = stats[3 * n], reference = stats[3 * n + 1], match = stats[3 * n + 2];
            if (hyp > 0 && reference > 0)
            {
                precision += match / (double)hyp;
                recall += match / (double)reference;
                orders++;
            }
        }
        if (orders == 0)
            return 0;
        precision /= orders;
        recall /= orders;
        double b2 = Beta * Beta;
        return precision + recall > 0 ? 100 * (1 + b2) * precision * recall / (b2 * precision + recall) : 0;
    }
}
