namespace Loom.Evaluation.Text;

/// <summary>A BLEU score (0–100) with its parts.</summary>
public sealed record BleuResult(double Score, double[] Precisions, double BrevityPenalty, int HypothesisLength, int ReferenceLength);

/// <summary>
/// BLEU as sacrebleu 2.x computes it by default: 13a tokenization, case-sensitive, n-grams up to 4, clipped counts
/// against the most generous reference, the closest reference length (shorter on ties), and "exp" smoothing (the
/// k-th n-gram order with no match gets precision 1/(2^k · total)). Corpus BLEU pools the statistics of all sentences;
/// sentence BLEU uses the effective order (orders the hypothesis is too short for are left out).
/// </summary>
public static class Bleu
{
    public const int MaxOrder = 4;

    /// <summary>Corpus BLEU; <paramref name="references"/>[i] holds the references of hypothesis i.</summary>
    public static BleuResult Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references)
    {
        NGramCounts.RequirePairs(hypotheses, references, "BLEU");
        var stats = new Statistics();
        for (int i = 0; i < hypotheses.Count; i++)
            stats.Add(hypotheses[i], references[i]);
        return stats.Score(effectiveOrder: false);
    }

    /// <summary>Corpus BLEU with one reference per hypothesis.</summary>
    public static BleuResult Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references) =>
        Corpus(hypotheses, references?.Select(r => (IReadOnlyList<string>)[r]).ToList()!);

    /// <summary>Sentence BLEU (sacrebleu's <c>sentence_bleu</c>: exp smoothing, effective order).</summary>
    public static BleuResult Sentence(string hypothesis, IReadOnlyList<string> references)
    {
        if (references is null || references.Count == 0)
            throw new Core.LoomDataException("BLEU: a sentence needs at least one reference");
        var stats = new Statistics();
        stats.Add(hypothesis, references);
        return stats.Score(effectiveOrder: true);
    }

    private sealed class Statistics
    {
        private readonly long[] correct = new long[MaxOrder];
        private readonly long[] total = new long[MaxOrder];
        private long hypLength, refLength;

        public void Add(string hypothesis, IReadOnlyList<string> references)
        {
            if (references.Count == 0)
                throw new Core.LoomDataException("BLEU: a hypothesis has no reference");
            var hyp = Tokenizer13a.Tokenize(hypothesis);
            var refs = references.Select(Tokenizer13a.Tokenize).ToList();
            hypLength += hyp.Count;
            refLength += ClosestLength(hyp.Count, refs.Select(r => r.Count));
            for (int n = 1; n <= MaxOrder; n++)
            {
                var hypGrams = NGramCounts.Of(hyp, n);
                var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var r in refs)
                    foreach (var (gram, count) in NGramCounts.Of(r, n))
                        maxRef[gram] = Math.Max(maxRef.GetValueOrDefault(gram), count);
                correct[n - 1] += NGramCounts.Overlap(hypGrams, maxRef);
                total[n - 1] += Math.Max(0, hyp.Count - n + 1);
            }
        }

        private static int ClosestLength(int hyp, IEnumerable<int> refs)
        {
            int best = -1, bestDiff = int.MaxValue;
            foreach (var r in refs)
            {
                int diff = Math.Abs(hyp - r);
                if (diff < bestDiff || (diff == bestDiff && r < best))
                    (best, bestDiff) = (r, diff);
            }
            return best;
        }

        public BleuResult Score(bool effectiveOrder)
        {
            var precisions = new double[MaxOrder];
            double smooth = 1;
            int order = MaxOrder;
            for (int n = 1; n <= MaxOrder; n++)
            {
                if (total[n - 1] == 0)
                    break;
                if (effectiveOrder)
                    order = n;
                if (correct[n - 1] == 0)
                {
                    smooth *= 2;
                    precisions[n - 1] = 100.0 / (smooth * total[n - 1]);
                }
                else
                    precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
            }
            double bp = hypLength < refLength ? (hypLength > 0 ? Math.Exp(1 - refLength / (double)hypLength) : 0) : 1;
            // A zero precision contributes log 0; sacrebleu uses −9999999999 so the score is 0 rather than NaN.
            double logSum = precisions.Take(order).Sum(p => p > 0 ? Math.Log(p) : -9999999999.0);
            double score = bp * Math.Exp(logSum / order);
            return new BleuResult(score, precisions, bp, (int)hypLength, (int)refLength);
        }
    }
}
