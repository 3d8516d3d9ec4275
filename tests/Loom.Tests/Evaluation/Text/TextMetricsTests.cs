using Loom.Core;
using Loom.Evaluation.Text;

namespace Loom.Tests.Evaluation.Text;

/// <summary>Hand-computed cases for the tokenizer, BLEU, chrF, ROUGE-L, diversity and the copy detector, and their bad-input
/// errors.</summary>
public sealed class TextMetricsTests
{
    [Theory]
    [InlineData("Hello, world!", "Hello , world !")]
    [InlineData("It costs $3.50, or 1,000 yen.", "It costs $ 3.50 , or 1,000 yen .")]
    [InlineData("state-of-the-art (2024-25) &quot;quoted&quot; a&amp;b", "state-of-the-art ( 2024 - 25 ) \" quoted \" a & b")]
    [InlineData("  spaced\tout\nlines  ", "spaced out lines")]
    public void Tokenizer13aSplitsLikeMteval(string input, string expected) =>
        Assert.Equal(expected, string.Join(' ', Tokenizer13a.Tokenize(input)));

    [Fact]
    public void IdenticalTextsScoreHundred()
    {
        Assert.Equal(100, Bleu.Sentence("the cat sat on the mat", ["the cat sat on the mat"]).Score, 9);
        Assert.Equal(100, ChrF.Sentence("the cat sat on the mat", ["the cat sat on the mat"]), 9);
        Assert.Equal(100, TextDiversity.SelfBleu(["a b c d e", "a b c d e", "a b c d e"]), 9);
    }

    [Fact]
    public void BleuExpSmoothingByHand()
    {
        // hyp "a b c d" vs ref "a b x d": 1-grams 3/4, 2-grams 1/3, 3-grams 0/2 → 100/(2·2), 4-grams 0/1 → 100/(4·1).
        var r = Bleu.Corpus(["a b c d"], ["a b x d"]);
        double expected = Math.Exp((Math.Log(75) + Math.Log(100.0 / 3) + Math.Log(25) + Math.Log(25)) / 4);
        Assert.Equal(expected, r.Score, 9);
        Assert.Equal(1, r.BrevityPenalty);
    }

    [Fact]
    public void RougeLUsesTheLongestCommonSubsequence()
    {
        // LCS of "a b c d e" and "a x c y e z" is "a c e": P = 3/5, R = 3/6.
        var r = Rouge.Compute(["A b, C d e"], ["a x c y e z"]).RougeL;
        Assert.Equal(0.6, r.Precision, 12);
        Assert.Equal(0.5, r.Recall, 12);
        Assert.Equal(2 * 0.6 * 0.5 / 1.1, r.FMeasure, 12);
    }

    [Fact]
    public void DistinctNCountsUniqueOverTotal()
    {
        string[] texts = ["a b a b", "a b c"];
        Assert.Equal(3 / 7.0, TextDiversity.DistinctN(texts, 1), 12);
        Assert.Equal(3 / 5.0, TextDiversity.DistinctN(texts, 2), 12);
    }

    [Fact]
    public void CopyDetectorFindsAPlantedSpanAndNothingInNovelText()
    {
        var training = File.ReadAllText(Support.RepoPaths.BundledData("tinyshakespeare.txt"));
        var words = training.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var planted = string.Join(' ', words.Skip(5000).Take(10));
        var detector = new NGramCopyDetector(training, 8);
        var report = detector.Analyze(
            ["zzq qqz " + planted + " qqz zzq", "purple quantum giraffes negotiate with seventeen silent refrigerators tonight"]);
        Assert.Equal(10, report.LongestPerSample[0].Words);
        Assert.Equal(planted, report.LongestPerSample[0].Text);
        Assert.Equal(0, report.LongestPerSample[1].Words);
        Assert.Equal(0.5, report.FractionWithCopy, 12);
        // 7 windows in the first sample (3 copied), 2 in the second (9 words).
        Assert.Equal(3 / 9.0, report.CopiedNGramFraction, 12);
    }

    [Fact]
    public void BadInputsAreNamed()
    {
        Assert.Contains("2 hypotheses but 1 references", Assert.Throws<LoomDataException>(() => Bleu.Corpus(["a", "b"], ["a"])).Message);
        Assert.Contains("no hypotheses", Assert.Throws<LoomDataException>(() => ChrF.Corpus([], Array.Empty<string>())).Message);
        Assert.Contains("at least 2 texts", Assert.Throws<LoomDataException>(() => TextDiversity.SelfBleu(["only one"])).Message);
        Assert.Contains("no texts", Assert.Throws<LoomDataException>(() => TextDiversity.DistinctN([], 1)).Message);
        Assert.Contains("fewer than n", Assert.Throws<LoomDataException>(() => new NGramCopyDetector("too short", 8)).Message);
    }
}
