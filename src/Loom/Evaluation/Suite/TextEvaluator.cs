using Loom.Data;
using Loom.Evaluation.Text;

namespace Loom.Evaluation.Suite;

/// <summary>
/// Diversity and memorization metrics of generated text against the training corpus: distinct-1/2/3, self-BLEU,
/// and verbatim copies of long word n-grams (share of samples with a copy, share of copied n-grams, longest span).
/// </summary>
public sealed class TextEvaluator(EvaluationOptions options)
{
    public void Evaluate(IReadOnlyList<string> samples, string trainingTextPath, EvaluationResult result)
    {
        var texts = samples.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
        if (texts.Count == 0)
            throw new Core.LoomDataException($"{result.Name}: every text sample is empty");
        result.SampleCount = texts.Count;
        result.FeatureSpace = "whitespace words (distinct-n, copies); 13a tokens (self-BLEU)";
        for (int n = 1; n <= 3; n++)
            result.Add($"distinct_{n}", TextDiversity.DistinctN(texts, n));
        if (texts.Count >= 2)
            result.Add("self_bleu", TextDiversity.SelfBleu(texts));
        else
            result.Notes.Add("self-BLEU skipped: needs at least 2 samples");
        var training = TextFile.Read(trainingTextPath);
        var copies = new NGramCopyDetector(training, options.CopyNGram).Analyze(texts);
        result.Add($"copied_{copies.N}gram_samples", copies.FractionWithCopy);
        result.Add($"copied_{copies.N}gram_fraction", copies.CopiedNGramFraction);
        result.Add("longest_copy_words", copies.Longest.Words);
        if (copies.Longest.Words > 0)
            result.Notes.Add($"longest verbatim copy ({copies.Longest.Words} words, sample {copies.Longest.Sample}): "
                + $"\"{Shorten(copies.Longest.Text, 200)}\"");
        result.TextSamples.AddRange(texts.Take(8));
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
