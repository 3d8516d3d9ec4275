using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;

namespace Loom.Tests.Text.Tokenizers;

/// <summary>Training byte-level BPE: layout like HF's trainer, exact round trips, determinism, agreement with a naive trainer.</summary>
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
    public void TinyShakespeareToVocab1000LearnsTheMergesOfANaiveTrainerAndRoundTrips()
    {
        var path = RepoPaths.BundledData("tinyshakespeare.txt");
        Assert.True(File.Exists(path), $"missing {path}");
        var text = File.ReadAllText(path);
        var t = ByteLevelBpeTokenizer.Train(text, 1000, ["<|endoftext|>"]);
        Assert.Equal(1000, t.VocabSize);
        Assert.Equal(1000 - 257, t.Merges.Count);
        // The trainer updates pair counts incrementally; the reference recounts every pair before every merge.
        Assert.Equal(NaiveBpeMerges(text, t.Merges.Count), t.Merges);
        Assert.Equal(text, t.Decode(t.Encode(text)));
        Assert.All(t.Encode(text), id => Assert.InRange(id, 1, 999)); // 0 is <|endoftext|>, absent from the text
    }

    /// <summary>
    /// Byte-level BPE by definition: split with the GPT-2 pattern, spell each piece in byte characters, then repeatedly
    /// count every adjacent pair (weighted by piece frequency) and merge the most frequent one (ties to the ordinally
    /// smaller left, then right token), left to right within a piece. Symbols are ids into <c>tokens</c> for speed.
    /// </summary>
    private static List<(string Left, string Right)> NaiveBpeMerges(string text, int count)
    {
        var frequency = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (start, length) in Gpt2PreTokenizer.Split(text))
        {
            var piece = ByteLevelAlphabet.Encode(System.Text.Encoding.UTF8.GetBytes(text.Substring(start, length)));
            frequency[piece] = frequency.GetValueOrDefault(piece) + 1;
        }
        var tokens = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string token)
        {
            if (ids.TryGetValue(token, out int id))
                return id;
            ids[token] = tokens.Count;
            tokens.Add(token);
            return tokens.Count - 1;
        }
        var pieces = frequency.Select(kv => (Symbols: kv.Key.Select(c => Id(c.ToString())).ToList(), Count: kv.Value)).ToList();
        var merges = new List<(string, string)>();
        while (merges.Count < count)
        {
            var pairs = new Dictionary<(int, int), long>();
            foreach (var (symbols, n) in pieces)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + n;
            if (pairs.Count == 0)
                break;
            var best = pairs.First();
            foreach (var candidate in pairs)
                if (candidate.Value > best.Value || (candidate.Value == best.Value && OrdinalBefore(candidate.Key, best.Key)))
                    best = candidate;
            var (left, right) = best.Key;
            merges.Add((tokens[left], tokens[right]));
            int merged = Id(tokens[left] + tokens[right]);
            foreach (var (symbols, _) in pieces)
                for (int i = 0; i + 1 < symbols.Count; i++)
                    if (symbols[i] == left && symbols[i + 1] == right)
                    {
                        symbols[i] = merged;
                        symbols.RemoveAt(i + 1);
                    }
        }
        return merges;

        bool OrdinalBefore((int Left, int Right) a, (int Left, int Right) b)
        {
            int byLeft = string.CompareOrdinal(tokens[a.Left], tokens[b.Left]);
            return byLeft != 0 ? byLeft < 0 : string.CompareOrdinal(tokens[a.Right], tokens[b.Right]) < 0;
        }
    }
}
