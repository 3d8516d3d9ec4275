using System.Text.RegularExpressions;

namespace Loom.Evaluation.Text;

/// <summary>Precision, recall and F1 of one ROUGE variant.</summary>
public sealed record RougeScore(double Precision, double Recall, double FMeasure);

/// <summary>ROUGE-1, ROUGE-2 and ROUGE-L, each averaged over hypothesis/reference pairs.</summary>
public sealed record RougeResult(RougeScore Rouge1, RougeScore Rouge2, RougeScore RougeL);

/// <summary>
/// ROUGE as torchmetrics' <c>ROUGEScore</c> computes it by default: lowercase, every run of characters other than
/// a–z/0–9 becomes a space, whitespace split, no stemming. ROUGE-N counts clipped n-gram overlaps; ROUGE-L uses the
/// longest common subsequence. With several references a hypothesis keeps the reference with the best F1
/// (accumulate="best"). Scores are averaged over the pairs.
/// </summary>
public static partial class Rouge
{
    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();

    public static IReadOnlyList<string> Tokenize(string text) =>
        NonAlphanumeric().Replace(text.ToLowerInvariant(), " ").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static RougeResult Compute(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        NGramCounts.RequirePairs(hypotheses, references, "ROUGE");
        var sums = new double[3, 3];
        for (int i = 0; i < hypotheses.Count; i++)
        {
            if (references[i].Count == 0)
                throw new Core.LoomDataException($"ROUGE: hypothesis {i} has no reference");
            var hyp = Tokenize(hypotheses[i]);
            var refs = references[i].Select(Tokenize).ToList();
            var scores = new[]
            {
                refs.Select(r => NGram(hyp, r, 1)).MaxBy(s => s.FMeasure)!,
                refs.Select(r => NGram(hyp, r, 2)).MaxBy(s => s.FMeasure)!,
                refs.Select(r => Lcs(hyp, r)).MaxBy(s => s.FMeasure)!,
            };
            for (int k = 0; k < 3; k++)
            {
                sums[k, 0] += scores[k].Precision;
                sums[k, 1] += scores[k].Recall;
                sums[k, 2] += scores[k].FMeasure;
            }
        }
        RougeScore Mean(int k) => new(sums[k, 0] / hypotheses.Count, sums[k, 1] / hypotheses.Count, sums[k, 2] / hypotheses.Count);
        return new RougeResult(Mean(0), Mean(1), Mean(2));
    }

    public static RougeResult Compute(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references) =>
        Compute(hypotheses, references?.Select(r => (IReadOnlyList<string>)[r]).ToList()!);

    private static RougeScore NGram(IReadOnlyList<string> hyp, IReadOnlyList<string> reference, int n)
    {
        var h = NGramCounts.Of(hyp, n);
        var r = NGramCounts.Of(reference, n);
        int hypTotal = Math.Max(0, hyp.Count - n + 1), refTotal = Math.Max(0, reference.Count - n + 1);
        if (hypTotal == 0 || refTotal == 0)
            return new RougeScore(0, 0, 0);
        return FromHits(NGramCounts.Overlap(h, r), hypTotal, refTotal);
    }

    /// <summary>ROUGE-L from the longest common subsequence (dynamic programming, two rows).</summary>
    private static RougeScore Lcs(IReadOnlyList<string> hyp, IReadOnlyList<string> reference)
    {
        if (hyp.Count == 0 || reference.Count == 0)
            return new RougeScore(0, 0, 0);
        var previous = new int[reference.Count + 1];
        var current = new int[reference.Count + 1];
        foreach (var token in hyp)
        {
            for (int j = 1; j <= reference.Count; j++)
                current[j] = token == reference[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            (previous, current) = (current, previous);
        }
        return FromHits(previous[reference.Count], hyp.Count, reference.Count);
    }

    private static RougeScore FromHits(int hits, int hypLength, int refLength)
    {
        double p = hits / (double)hypLength, r = hits / (double)refLength;
        return p + r == 0 ? new RougeScore(0, 0, 0) : new RougeScore(p, r, 2 * p * r / (p + r));
    }
}
