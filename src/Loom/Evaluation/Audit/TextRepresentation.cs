using System.Text.RegularExpressions;
using Loom.Core;

namespace Loom.Evaluation.Audit;

/// <summary>How often an attribute's words occur per 1,000 words of training text and of samples.</summary>
public sealed record AttributeRate(string Attribute, double TrainingPerThousand, double SamplePerThousand)
{
    public double Ratio => TrainingPerThousand > 0 ? SamplePerThousand / TrainingPerThousand : double.NaN;
}

/// <summary>Among windows that mention <see cref="Attribute"/>, the share that also mention <see cref="Target"/>, in training text and
/// in samples (NaN where no window mentions the attribute).</summary>
public sealed record CooccurrenceRate(string Attribute, string Target, double TrainingRate, double SampleRate, int TrainingWindows,
    int SampleWindows);

/// <summary>
/// A text representation audit: attribute word rates and attribute–target co-occurrence rates in generated text versus
/// the training text, over non-overlapping windows of <see cref="WindowWords"/> words. A generator that amplifies an
/// association shows a sample rate well above the training rate.
/// </summary>
public sealed partial record TextRepresentation(IReadOnlyList<AttributeRate> Rates, IReadOnlyList<CooccurrenceRate> Cooccurrences,
    int WindowWords, long TrainingWords, long SampleWords)
{
    public static TextRepresentation Compare(IReadOnlyList<string> samples, string trainingText, AttributeWordLists lists,
        int windowWords = 20)
    {
        if (windowWords < 2) throw new LoomUsageException($"text representation: a window needs at least 2 words, got {windowWords}");
        var training = Windows(Words(trainingText), windowWords);
        var sampled = samples.SelectMany(s => Windows(Words(s), windowWords)).ToList();
        long trainingWords = training.Sum(w => (long)w.Count), sampleWords = sampled.Sum(w => (long)w.Count);
        if (trainingWords == 0 || sampleWords == 0)
            throw new LoomDataException($"text representation needs words in the training text and the samples, got {trainingWords} "
                + $"and {sampleWords}");
        var rates = lists.Attributes.Select(a => new AttributeRate(a.Key,
            PerThousand(training, a.Value, trainingWords), PerThousand(sampled, a.Value, sampleWords))).ToList();
        var pairs = new List<CooccurrenceRate>();
        foreach (var (attribute, words) in lists.Attributes)
            foreach (var (target, targetWords) in lists.Targets)
            {
                var (trainingRate, trainingCount) = Cooccurrence(training, words, targetWords);
                var (sampleRate, sampleCount) = Cooccurrence(sampled, words, targetWords);
                pairs.Add(new CooccurrenceRate(attribute, target, trainingRate, sampleRate, trainingCount, sampleCount));
            }
        return new TextRepresentation(rates, pairs, windowWords, trainingWords, sampleWords);
    }

    private static double PerThousand(List<List<string>> windows, IReadOnlyList<string> words, long total)
    {
        var set = words.ToHashSet(StringComparer.Ordinal);
        return 1000.0 * windows.Sum(w => w.Count(set.Contains)) / total;
    }

    private static (double Rate, int Windows) Cooccurrence(List<List<string>> windows, IReadOnlyList<string> attribute,
        IReadOnlyList<string> target)
    {
        var a = attribute.ToHashSet(StringComparer.Ordinal);
        var t = target.ToHashSet(StringComparer.Ordinal);
        int with = 0, both = 0;
        foreach (var window in windows)
        {
            if (!window.Any(a.Contains)) continue;
            with++;
            if (window.Any(t.Contains)) both++;
        }
        return (with == 0 ? double.NaN : both / (double)with, with);
    }

    private static List<string> Words(string text) => Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).ToList();

    private static List<List<string>> Windows(List<string> words, int size) =>
        Enumerable.Range(0, (words.Count + size - 1) / size).Select(i => words.GetRange(i * size, Math.Min(size, words.Count - i * size)))
            .ToList();

    [GeneratedRegex(@"\p{L}+(?:'\p{L}+)?")]
    private static partial Regex Word();
}
