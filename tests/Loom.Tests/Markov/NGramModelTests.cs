using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Markov;
using Loom.Tests.Support;

namespace Loom.Tests.Markov;

public class NGramModelTests
{
    [Fact]
    public void AddOneProbabilitiesMatchHandCounts()
    {
        // "abab", bigrams with begin padding: <s>a, ab, ba, ab. Predictable tokens: <unk>, a, b (3).
        var m = NGramModel.Fit("abab", new NGramOptions { Order = 2, Smoothing = NGramSmoothing.AddK, K = 1 });
        Assert.Equal(Math.Log(3.0 / 5), m.LogProb(["a"], "b"), 12);
        Assert.Equal(Math.Log(1.0 / 5), m.LogProb(["a"], "a"), 12);
        Assert.Equal(Math.Log(2.0 / 4), m.LogProb(["b"], "a"), 12);
        Assert.Equal(Math.Log(1.0 / 3), m.LogProb(["z"], "a"), 12); // unseen context: uniform
    }

    /// <summary>Interpolated Kneser-Ney written straight from its definition, scanning the token list for every count.</summary>
    private static double NaiveKneserNey(List<string> tokens, int n, double d, List<string> vocab, string[] history, string w)
    {
        var padded = Enumerable.Repeat("<s>", n - 1).Concat(tokens).ToList();
        var ngrams = Enumerable.Range(n - 1, tokens.Count).Select(i => padded.GetRange(i - n + 1, n)).ToList();
        double P(int m, string[] h, string word)
        {
            if (m == 0) return 1.0 / vocab.Count;
            var context = h[(h.Length - (m - 1))..];
            // count of (context, x): raw at the top order, distinct left extensions below it
            double Count(string x) => m == n
                ? ngrams.Count(g => g.Skip(n - m).Take(m - 1).SequenceEqual(context) && g[^1] == x)
                : ngrams.Where(g => g.Skip(n - m).Take(m - 1).SequenceEqual(context) && g[^1] == x)
                    .Select(g => string.Join("\u0001", g.Take(n - m))).Distinct().Count()
                  == 0 ? 0 : DistinctLeft(m, context, x);
            double DistinctLeft(int order, string[] ctx, string x) =>
                ngrams.Where(g => g.Skip(n - order).Take(order - 1).SequenceEqual(ctx) && g[^1] == x)
                    .Select(g => g[n - order - 1]).Distinct().Count();
            var counts = vocab.ToDictionary(x => x, Count);
            double total = counts.Values.Sum();
            if (total == 0) return P(m - 1, h, word);
            double types = counts.Values.Count(c => c > 0);
            return Math.Max(counts[word] - d, 0) / total + d * types / total * P(m - 1, h, word);
        }
        return P(n, history, w);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void KneserNeyMatchesTheNaiveDefinition(int order)
    {
        var text = "the cat sat on the mat the cat ate the rat";
        var tokens = NGramVocabulary.Split(text, TokenLevel.Word).ToList();
        var model = NGramModel.Fit(text, new NGramOptions { Order = order, Level = TokenLevel.Word, Discount = 0.75 });
        var vocab = model.Vocabulary.Tokens.Skip(1).ToList(); // predictable tokens: <unk> and the words
        string[][] histories = [["the", "cat"], ["on", "the"], ["<s>", "the"], ["rat", "the"], ["dog", "cat"], ["sat", "mat"]];
        foreach (var h in histories)
            foreach (var w in new[] { "cat", "sat", "mat", "rat", "the", "<unk>" })
            {
                var expected = NaiveKneserNey(tokens, order, 0.75, vocab, h, w);
                var actual = Math.Exp(model.LogProb(h.Select(x => x == "<s>" ? "\u0000never" : x).ToList(), w));
                if (h[0] == "<s>" || (order == 2 && h[^1] == "<s>")) continue; // begin token cannot be typed as a word
                Assert.Equal(expected, actual, 12);
            }
    }

    [Theory]
    [InlineData(NGramSmoothing.KneserNey, 1)]
    [InlineData(NGramSmoothing.KneserNey, 4)]
    [InlineData(NGramSmoothing.AddK, 3)]
    public void DistributionsSumToOneForSeenAndUnseenContexts(NGramSmoothing smoothing, int order)
    {
        var model = NGramModel.Fit("First Citizen:\nBefore we proceed any further, hear me speak.\n",
            new NGramOptions { Order = order, Smoothing = smoothing, K = 0.5 });
        var random = new Random(1);
        for (int trial = 0; trial < 50; trial++)
        {
            var context = Enumerable.Range(0, order - 1).Select(_ => random.Next(model.Vocabulary.Size)).ToArray();
            var p = model.Counts.Distribution(context);
            Assert.Equal(1.0, p.Sum(), 9);
            Assert.Equal(0.0, p[NGramVocabulary.Bos]);
            Assert.All(p.Skip(1), v => Assert.True(v > 0));
            for (int w = 1; w < p.Length; w += 5)
                Assert.Equal(p[w], model.Counts.Probability(context, w), 12);
        }
    }

    [Fact]
    public void HeldOutPerplexityOnTinyShakespeareImprovesWithOrder()
    {
        var text = TextFile.Read(RepoPaths.BundledData("tinyshakespeare.txt"));
        int cut = (int)(text.Length * 0.9);
        var dir = RepoPaths.NewTempDir();
        var valPath = Path.Combine(dir, "val.txt");
        File.WriteAllText(valPath, text[cut..]);
        double Bits(NGramOptions o) => NGramModel.Fit(text[..cut], o).Score(valPath).BitsPerUnit;
        double kn1 = Bits(new NGramOptions { Order = 1 });
        double kn5 = Bits(new NGramOptions { Order = 5 });
        double add5 = Bits(new NGramOptions { Order = 5, Smoothing = NGramSmoothing.AddK, K = 1 });
        Assert.True(kn5 < kn1 && kn5 < add5, $"KN5 {kn5:F3}, KN1 {kn1:F3}, add-1 order 5 {add5:F3} bits/char");
        Assert.InRange(kn1, 4.7, 4.9); // unigram entropy of Shakespeare's characters
        Assert.True(kn5 < 2.4, $"KN order 5: {kn5:F3} bits/char");
    }

    [Fact]
    public void CheckpointRoundTripKeepsProbabilitiesAndSamples()
    {
        var model =
            NGramModel.Fit("to be or not to be, that is the question\nwhether 'tis nobler in the mind\n", new NGramOptions { Order = 3 });
        var dir = Path.Combine(RepoPaths.NewTempDir(), "ngram");
        Checkpoint.Save(dir, model, new ModelCard());
        using var loaded = (NGramModel)Checkpoint.Load(dir);
        var request = new SampleRequest { Count = 3, Length = 40, Seed = 4, Prompt = "to " };
        Assert.Equal(((TextSamples)model.Sample(request)).Texts, ((TextSamples)loaded.Sample(request)).Texts);
        Assert.All(((TextSamples)model.Sample(request)).Texts, t => Assert.StartsWith("to ", t));
        Assert.Equal(model.LogProb(["t", "o"], " "), loaded.LogProb(["t", "o"], " "), 15);
        Assert.Equal(model.Vocabulary.Tokens, loaded.Vocabulary.Tokens);
    }

    [Fact]
    public void SamplingIsSeededAndTemperatureSharpens()
    {
        var model = NGramModel.Fit(string.Concat(Enumerable.Repeat("abcabcabd", 30)), new NGramOptions { Order = 3 });
        var a = ((TextSamples)model.Sample(new SampleRequest { Count = 2, Length = 60, Seed = 1 })).Texts;
        var b = ((TextSamples)model.Sample(new SampleRequest { Count = 2, Length = 60, Seed = 1 })).Texts;
        Assert.Equal(a, b);
        var cold = ((TextSamples)model.Sample(new SampleRequest { Count = 1, Length = 90, Seed = 2, Temperature = 0.05 })).Texts[0];
        Assert.DoesNotContain("<unk>", cold);
        Assert.Equal(60, cold.Count(c => c is 'a' or 'b'));
    }

    [Fact]
    public void BadInputIsAClearError()
    {
        Assert.Contains("Order", Assert.Throws<LoomUsageException>(() => NGramModel.Fit("abc", new NGramOptions { Order = 0 })).Message);
        Assert.Contains("fewer than the order",
            Assert.Throws<LoomDataException>(() => NGramModel.Fit("ab", new NGramOptions { Order = 5 })).Message);
        Assert.Contains("no tokens",
            Assert.Throws<LoomDataException>(() => NGramModel.Fit("   ", new NGramOptions { Level = TokenLevel.Word })).Message);
        Assert.Contains("Level", Assert.Throws<LoomUsageException>(() => NGramOptions.ParseLevel("byte")).Message);
        var bad = Path.Combine(RepoPaths.NewTempDir(), "latin1.txt");
        File.WriteAllBytes(bad, [0x61, 0xE9, 0x62]);
        var model = NGramModel.Fit("abc abc", new NGramOptions { Order = 2 });
        Assert.Contains("not valid UTF-8", Assert.Throws<LoomDataException>(() => model.Score(bad)).Message);
    }
}
