namespace Loom.Evaluation.Text;

/// <summary>
/// Diversity of a set of generated texts. Distinct-n (Li et al. 2016) is the number of unique word n-grams divided by
/// the number of word n-grams over the whole set (whitespace tokens, case kept); 1 means no n-gram repeats.
/// Self-BLEU (Zhu et al. 2018) is the mean sentence BLEU of each text against all the others as references;
/// high self-BLEU means the texts resemble each other.
/// </summary>
public static class TextDiversity
{
    public static double DistinctN(IReadOnlyList<string> texts, int n)
    {
        if (texts is null || texts.Count == 0)
            throw new Core.LoomDataException("distinct-n: no texts");
        if (n < 1)
            throw new Core.LoomUsageException($"distinct-n: n must be at least 1, got {n}");
        var unique = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var text in texts)
        {
            var grams = NGramCounts.Of(text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries), n);
            foreach (var (gram, count) in grams)
            {
                unique.Add(gram);
                total += count;
            }
        }
        return total == 0 ? 0 : unique.Count / (double)total;
    }

    public static double SelfBleu(IReadOnlyList<string> texts)
    {
        if (texts is null || texts.Count < 2)
            throw new Core.LoomDataException($"self-BLEU: needs at least 2 texts, got {texts?.Count ?? 0}");
        double sum = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            var others = texts.Where((_, j) => j != i).ToList();
            sum += Bleu.Sentence(texts[i], others).Score;
        }
        return sum / texts.Count;
    }
}
