using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>The BPE model's merge order, ignore_merges, byte fallback, unknown tokens and subword affixes on tiny
/// vocabularies whose ids are worked out by hand (a token's id is its position in the vocabulary list).</summary>
public class BpeModelTests
{
    private static readonly string[] Abc = ["a", "b", "c", "ab", "bc", "abc"];

    [Fact]
    public void LowestRankMergesFirst()
    {
        // "b c" (rank 0) wins over "a b" (rank 1); nothing merges "a" with "bc".
        var tokenizer = TinyHfJson.Load(TinyHfJson.File(TinyHfJson.Model(Abc, ["b c", "a b", "ab c"])));
        Assert.Equal([0, 4], tokenizer.Encode("abc"));
    }

    [Fact]
    public void MergesMayBeArrays()
    {
        var model = TinyHfJson.Model(Abc, []);
        model["merges"] = JsonNode.Parse("""[["a", "b"], ["ab", "c"]]""");
        Assert.Equal([5], TinyHfJson.Load(TinyHfJson.File(model)).Encode("abc"));
    }

    [Fact]
    public void IgnoreMergesTakesAWholePieceFromTheVocabulary()
    {
        var extra = new JsonObject { ["ignore_merges"] = true };
        var tokenizer = TinyHfJson.Load(TinyHfJson.File(TinyHfJson.Model(Abc, ["b c", "a b"], extra)));
        Assert.Equal([5], tokenizer.Encode("abc"));
        Assert.Equal([0, 4], tokenizer.Encode("abcbc")[..2]);
    }

    [Fact]
    public void ByteFallbackSpellsMissingCharactersAsByteTokens()
    {
        var extra = new JsonObject { ["byte_fallback"] = true, ["unk_token"] = "<unk>" };
        var vocab = new[] { "<unk>", "a", "<0xC3>", "<0xA9>" };
        var tokenizer = TinyHfJson.Load(TinyHfJson.File(TinyHfJson.Model(vocab, [], extra), decoder: """{"type": "ByteFallback"}"""));
        Assert.Equal([1, 2, 3, 0], tokenizer.Encode("aéx"));
        Assert.Equal("aé<unk>", tokenizer.Decode([1, 2, 3, 0]));
        Assert.Equal("\uFFFDa", tokenizer.Decode([2, 1]));
    }

    [Theory]
    [InlineData(true, new[] { 1, 0, 1 })]
    [InlineData(false, new[] { 1, 0, 0, 1 })]
    public void FuseUnkJoinsRunsOfUnknownCharacters(bool fuse, int[] expected)
    {
        var extra = new JsonObject { ["unk_token"] = "<unk>", ["fuse_unk"] = fuse };
        var tokenizer = TinyHfJson.Load(TinyHfJson.File(TinyHfJson.Model(["<unk>", "a"], [], extra)));
        Assert.Equal(expected, tokenizer.Encode("axya"));
    }

    [Fact]
    public void WithoutAnUnknownTokenMissingCharactersAreDropped()
    {
        var tokenizer = TinyHfJson.Load(TinyHfJson.File(TinyHfJson.Model(["a"], [])));
        Assert.Equal([0, 0], tokenizer.Encode("axa"));
    }

    [Fact]
    public void ContinuingSubwordPrefixAndEndOfWordSuffix()
    {
        var extra = new JsonObject { ["continuing_subword_prefix"] = "##", ["end_of_word_suffix"] = "</w>" };
        var vocab = new[] { "a", "##b", "##c</w>", "ab", "abc</w>" };
        var tokenizer = TinyHfJson.Load(TinyHfJson.File(TinyHfJson.Model(vocab, ["a ##b", "ab ##c</w>"], extra)));
        Assert.Equal([4], tokenizer.Encode("abc"));
    }

    [Fact]
    public void DropoutIsRejected()
    {
        var extra = new JsonObject { ["dropout"] = 0.1 };
        var file = TinyHfJson.File(TinyHfJson.Model(["a"], [], extra), normalizer: """{"type": "NFC"}""");
        var e = Assert.Throws<LoomDataException>(() => TinyHfJson.Load(file));
        Assert.Contains("model.dropout 0.1 is not supported", e.Message);
    }
}
