using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;

namespace Loom.Tests.Text.Tokenizers;

/// <summary>The character tokenizer: sorted distinct characters, surrogate pairs as one symbol, no silent unknowns.</summary>
public class CharTokenizerTests
{
    [Fact]
    public void VocabularyIsSortedDistinctCharacters()
    {
        var t = CharTokenizer.Train("hello\nworld");
        Assert.Equal(["\n", "d", "e", "h", "l", "o", "r", "w"], t.Chars);
        Assert.Equal(8, t.VocabSize);
        Assert.Equal("char", t.Kind);
        Assert.Empty(t.SpecialTokens);
        Assert.Null(t.EosId);
        Assert.Equal([3, 2, 4, 4, 5], t.Encode("hello"));
    }

    [Fact]
    public void SurrogatePairIsOneSymbol()
    {
        var t = CharTokenizer.Train("a🤖b😀");
        Assert.Equal(["a", "b", "😀", "🤖"], t.Chars); // code point order: U+1F600 before U+1F916
        var ids = t.Encode("🤖a");
        Assert.Equal([3, 0], ids);
        Assert.Equal("🤖a", t.Decode(ids));
        Assert.Equal("🤖a"u8.ToArray(), t.DecodeBytes(ids));
    }

    [Fact]
    public void UnknownCharacterNamesItAndItsPosition()
    {
        var t = CharTokenizer.Train("abc");
        var e = Assert.Throws<LoomDataException>(() => t.Encode("abxc"));
        Assert.Contains("'x'", e.Message);
        Assert.Contains("position 2", e.Message);
    }

    [Fact]
    public void SpecialTokensFollowTheCharacters()
    {
        var t = CharTokenizer.Train("ab\n<|endoftext|>ba", ["<|endoftext|>"]);
        Assert.Equal(["\n", "a", "b"], t.Chars); // the special token's text is not learned as characters
        Assert.Equal(3, t.SpecialTokens["<|endoftext|>"]);
        Assert.Equal(3, t.EosId);
        Assert.Equal(3, t.BosId);
        Assert.Equal(4, t.VocabSize);
        Assert.Equal([1, 3, 2], t.Encode("a<|endoftext|>b"));
        Assert.Equal("a<|endoftext|>b", t.Decode([1, 3, 2]));
        Assert.Equal("ab", t.Decode([1, 3, 2], skipSpecial: true));
        Assert.Throws<LoomDataException>(() => t.Encode("a<|endoftext|>b", allowSpecial: false)); // '<' is not a character of it
    }

    [Fact]
    public void SaveLoadRoundTrip()
    {
        var t = CharTokenizer.Train("To be, or not to be 🤖\n", ["<|endoftext|>"]);
        using var folder = new TempFolder();
        t.Save(folder.Path);
        Assert.Contains("\"kind\": \"char\"", File.ReadAllText(folder.File("tokenizer.json")));
        var loaded = Assert.IsType<CharTokenizer>(TokenizerFiles.Load(folder.Path));
        Assert.Equal(t.Chars, loaded.Chars);
        Assert.Equal(t.SpecialTokens, loaded.SpecialTokens);
        var text = "not to be<|endoftext|>🤖";
        Assert.Equal(t.Encode(text), loaded.Encode(text));
        Assert.Equal(text, loaded.Decode(loaded.Encode(text)));
    }

    [Fact]
    public void EmptyTrainingTextIsADataError() =>
        Assert.Throws<LoomDataException>(() => CharTokenizer.Train(""));

    [Fact]
    public void UnknownIdIsADataError() =>
        Assert.Throws<LoomDataException>(() => CharTokenizer.Train("ab").Decode([2]));
}
