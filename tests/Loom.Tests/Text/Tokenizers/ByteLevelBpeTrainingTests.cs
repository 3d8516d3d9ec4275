using System.Diagnostics;
using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;

namespace Loom.Tests.Text.Tokenizers;

/// <summary>Training byte-level BPE: layout like HF's trainer, exact round trips, determinism, speed on tinyshakespeare.</summary>
public class ByteLevelBpeTrainingTests
{
    private const string Small = """
        First Citizen:
        Before we proceed any further, hear me speak.
        All: Speak, speak.<|endoftext|>First Citizen:
        You are all resolved rather to die than to famish?
        All: Resolved. resolved.
        """;

    [Fact]
    public void LayoutIsSpecialsThenBytesThenMerges()
    {
        var t = ByteLevelBpeTokenizer.Train(Small, 300, ["<|endoftext|>"]);
        Assert.Equal(300, t.VocabSize);
        Assert.Equal(0, t.SpecialTokens["<|endoftext|>"]);
        Assert.Equal(0, t.EosId);
        Assert.Equal("!", t.IdToToken(1));
        Assert.Equal(ByteLevelAlphabet.SortedChars[^1].ToString(), t.IdToToken(256));
        Assert.Equal(300 - 257, t.Merges.Count);
        for (int rank = 0; rank < t.Merges.Count; rank++)
            Assert.Equal(257 + rank, t.Vocabulary[t.Merges[rank].Left + t.Merges[rank].Right]);
    }

    [Fact]
    public void MostFrequentPairMergesFirst()
    {
        var t = ByteLevelBpeTokenizer.Train("ab ab ab cd cd ab", 258);
        Assert.Equal(("a", "b"), t.Merges[0]);
        Assert.Equal(("Ġ", "ab"), t.Merges[1]);
    }

    [Fact]
    public void TiesGoToTheLexicographicallySmallerPair()
    {
        var t = ByteLevelBpeTokenizer.Train("yz bc", 257);
        Assert.Equal(("b", "c"), t.Merges[0]); // all counts are 1; "b" < "y" < "Ġ" (U+0120) ordinally
    }

    [Theory]
    [InlineData("Before we proceed any further, hear me speak.")]
    [InlineData("unseen words: zebra quixotic 🤖 日本 e\u0301")]
    [InlineData("")]
    public void RoundTripsExactly(string text)
    {
        var t = ByteLevelBpeTokenizer.Train(Small, 320, ["<|endoftext|>"]);
        Assert.Equal(text, t.Decode(t.Encode(text)));
    }

    [Fact]
    public void SpecialTokenInTrainingTextIsNotLearned()
    {
        var t = ByteLevelBpeTokenizer.Train(Small, 400, ["<|endoftext|>"]);
        Assert.DoesNotContain(t.Vocabulary.Keys, k => k != "<|endoftext|>" && k.Contains("endoftext"));
        Assert.Equal([0], t.Encode("<|endoftext|>"));
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        var a = ByteLevelBpeTokenizer.Train(Small, 350, ["<|endoftext|>"]);
        var b = ByteLevelBpeTokenizer.Train(Small, 350, ["<|endoftext|>"]);
        Assert.Equal(a.Merges, b.Merges);
        Assert.Equal(a.Vocabulary.OrderBy(kv => kv.Value), b.Vocabulary.OrderBy(kv => kv.Value));
    }

    [Fact]
    public void SavedFileLoadsBackWithTheSameEncoding()
    {
        var t = ByteLevelBpeTokenizer.Train(Small, 330, ["<|endoftext|>"]);
        using var folder = new TempFolder();
        t.Save(folder.Path);
        var loaded = TokenizerFiles.Load(folder.Path);
        Assert.Equal(t.Encode(Small), loaded.Encode(Small));
        Assert.Equal(t.VocabSize, loaded.VocabSize);
    }

    [Fact]
    public void StopsWhenNoPairIsLeft()
    {
        var t = ByteLevelBpeTokenizer.Train("abc", 1000);
        Assert.Equal(258, t.VocabSize); // "ab", then "abc"
        Assert.Equal([257], t.Encode("abc"));
    }

    [Fact]
    public void TooSmallVocabularyIsAUsageError()
    {
        var e = Assert.Throws<LoomUsageException>(() => ByteLevelBpeTokenizer.Train("abc", 256, ["<|endoftext|>"]));
        Assert.Contains("257", e.Message);
    }

    [Fact]
    public void TinyShakespeareToVocab1000TakesSeconds()
    {
        var path = RepoPaths.BundledData("tinyshakespeare.txt");
        Assert.True(File.Exists(path), $"missing {path}");
        var text = File.ReadAllText(path);
        var clock = Stopwatch.StartNew();
        var t = ByteLevelBpeTokenizer.Train(text, 1000, ["<|endoftext|>"]);
        var trained = clock.Elapsed;
        Assert.Equal(1000, t.VocabSize);
        Assert.True(trained < TimeSpan.FromSeconds(30), $"training took {trained.TotalSeconds:F1} s");
        var sample = text[..20_000];
        Assert.Equal(sample, t.Decode(t.Encode(sample)));
        Console.WriteLine($"BPE training on tinyshakespeare ({text.Length} chars) to 1000 tokens: {trained.TotalSeconds:F2} s");
    }
}
