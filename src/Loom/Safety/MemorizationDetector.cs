using System.Text.RegularExpressions;
using Loom.Core;
using Loom.Evaluation.Text;

namespace Loom.Safety;

/// <summary>
/// Flags an output that copies a training text verbatim: the longest span of at least <see cref="MinWords"/> consecutive
/// words that also occurs in the training text (the <see cref="NGramCopyDetector"/> of the evaluation suite), named by
/// the line of the training text it comes from. The score is the copied share of the output's words, at least 0.5.
/// </summary>
public sealed class MemorizationDetector : IContentDetector
{
    private readonly NGramCopyDetector copies;
    private readonly string trainingText;
    private readonly string source;

    /// <param name="trainingText">The text the model was trained on.</param>
    /// <param name="minWords">Shortest copied span that counts (words).</param>
    /// <param name="source">How reports name the training text, e.g. its file name.</param>
    public MemorizationDetector(string trainingText, int minWords = 8, string source = "training text")
    {
        if (minWords < 2)
            throw LoomUsageException.ForOption(nameof(ModerationOptions.MemorizationWords), $"must be at least 2, got {minWords}");
        copies = new NGramCopyDetector(trainingText, minWords);
        this.trainingText = trainingText;
        this.source = source;
    }

    public int MinWords => copies.N;

    public string Name => "memorization";

    public IReadOnlyList<ContentFlag> Detect(string text)
    {
        if (text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is not { } words || words.Length < MinWords)
            return [];
        var longest = copies.Analyze([text]).Longest;
        if (longest.Words < MinWords)
            return [];
        var pattern = string.Join(@"\s+", longest.Text.Split(' ').Select(Regex.Escape));
        var match = Regex.Match(text, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        int start = match.Success ? match.Index : 0, length = match.Success ? match.Length : text.Length;
        double score = Math.Max(0.5, Math.Min(1.0, longest.Words / (double)words.Length));
        long wordIndex = copies.WordIndexOf(longest.Text);
        string where = wordIndex < 0 ? source : $"{source} line {LineOfWord(wordIndex)}";
        return [new ContentFlag(ContentCategories.Memorization, score, start, length, Name,
            $"{longest.Words} words copied from {where}")];
    }

    /// <summary>1-based line of the training text on which word number <paramref name="wordIndex"/> starts.</summary>
    private long LineOfWord(long wordIndex)
    {
        long line = 1, word = -1;
        bool inWord = false;
        foreach (char c in trainingText)
        {
            if (char.IsWhiteSpace(c))
            {
                inWord = false;
                if (c == '\n') line++;
                continue;
            }
            if (!inWord && ++word == wordIndex)
                return line;
            inWord = true;
        }
        return line;
    }
}
