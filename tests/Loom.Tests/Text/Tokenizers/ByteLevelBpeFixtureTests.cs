using Loom.Tests.Support;
using Loom.Text.Tokenizers;

namespace Loom.Tests.Text.Tokenizers;

/// <summary>The fixture's HF tokenizer.json encodes and decodes exactly as HF tokenizers 0.23.2 did, before and after Save →
/// Load.</summary>
public class ByteLevelBpeFixtureTests
{
    private static readonly ByteLevelBpeTokenizer Tokenizer = ByteLevelBpeTokenizer.FromJsonFile(BpeFixture.TokenizerPath);

    public static TheoryData<int> Cases => BpeFixture.Indices();

    [Fact]
    public void FixtureHasCases() => Assert.True(BpeFixture.Cases.Count >= 9);

    [Theory]
    [MemberData(nameof(Cases))]
    public void IdsMatchHf(int index)
    {
        var c = BpeFixture.Cases[index];
        Assert.Equal(c.Ids, Tokenizer.Encode(c.Text));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TokensMatchHf(int index)
    {
        var c = BpeFixture.Cases[index];
        Assert.Equal(c.Tokens, Tokenizer.Encode(c.Text).Select(id => Tokenizer.IdToToken(id)!).ToArray());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecodeMatchesHfAndRoundTrips(int index)
    {
        var c = BpeFixture.Cases[index];
        Assert.Equal(c.Decoded, Tokenizer.Decode(c.Ids));
        Assert.Equal(c.Text, Tokenizer.Decode(Tokenizer.Encode(c.Text)));
    }

    [Fact]
    public void SaveThenLoadGivesTheSameIdsForEveryCase()
    {
        using var folder = new TempFolder();
        Tokenizer.Save(folder.Path);
        var loaded = Assert.IsType<ByteLevelBpeTokenizer>(TokenizerFiles.Load(folder.Path));
        Assert.Equal(Tokenizer.VocabSize, loaded.VocabSize);
        Assert.Equal(Tokenizer.Merges, loaded.Merges);
        foreach (var c in BpeFixture.Cases)
        {
            Assert.Equal(c.Ids, loaded.Encode(c.Text));
            Assert.Equal(c.Decoded, loaded.Decode(c.Ids));
        }
    }

    [Fact]
    public void SavedFileIsTheSameJsonAsHfWrote()
    {
        using var folder = new TempFolder();
        Tokenizer.Save(folder.Path);
        var original = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(BpeFixture.TokenizerPath));
        var saved = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(folder.File("tokenizer.json")));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(original, saved), "the saved tokenizer.json differs from HF's");
    }

    [Fact]
    public void VocabularyAndSpecialTokensComeFromTheFile()
    {
        Assert.Equal("bpe", Tokenizer.Kind);
        Assert.Equal(600, Tokenizer.VocabSize);
        Assert.Equal(0, Tokenizer.SpecialTokens["<|endoftext|>"]);
        Assert.Equal(0, Tokenizer.EosId);
        Assert.Equal(0, Tokenizer.BosId);
    }

    [Theory]
    [InlineData("emoji 🤖🎉👩‍👩‍👧 and flags 🇯🇵")]
    [InlineData("中文字符和日本語のテキスト, 한국어")]
    [InlineData("combining: e\u0301 a\u0308 n\u0303, zalgo Z\u0351\u0352o")]
    [InlineData("math 𝐀𝐁 𝟙𝟚 and 𠀀𠀁 outside the BMP")]
    [InlineData("\u00A0nbsp\u2003em\u3000ideographic\r\n\tmixed  \n ")]
    [InlineData("'s 're 'LL '' ''' x'y 'a")]
    public void ArbitraryUnicodeRoundTrips(string text)
    {
        Assert.Equal(text, Tokenizer.Decode(Tokenizer.Encode(text)));
    }

    [Fact]
    public void SpecialTokenIsOneIdOnlyWhenAllowed()
    {
        var text = "end<|endoftext|>start";
        var allowed = Tokenizer.Encode(text);
        Assert.Contains(0, allowed);
        Assert.Equal(Tokenizer.Encode("end").Concat([0]).Concat(Tokenizer.Encode("start")), allowed);
        var plain = Tokenizer.Encode(text, allowSpecial: false);
        Assert.DoesNotContain(0, plain);
        Assert.Equal(text, Tokenizer.Decode(plain));
        Assert.Equal("endstart", Tokenizer.Decode(allowed, skipSpecial: true));
        Assert.Equal(text, Tokenizer.Decode(allowed));
    }

    [Fact]
    public void UnknownIdIsADataError()
    {
        var e = Assert.Throws<Loom.Core.LoomDataException>(() => Tokenizer.Decode([600]));
        Assert.Contains("600", e.Message);
    }
}
