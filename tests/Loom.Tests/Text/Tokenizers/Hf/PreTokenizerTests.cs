using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>Metaspace's prepend schemes and split flag, ByteLevel's prefix space and regex, Digits, Punctuation,
/// Whitespace and Sequence on hand-worked examples.</summary>
public class PreTokenizerTests
{
    private static List<string> Split(PreTokenizer pre, string text, bool atTextStart = true)
    {
        var output = new List<string>();
        pre.Split(text, atTextStart, output);
        return output;
    }

    [Theory]
    [InlineData(PrependScheme.Always, true, true, "▁hey|▁friend")]
    [InlineData(PrependScheme.Always, false, true, "▁hey|▁friend")]
    [InlineData(PrependScheme.First, true, true, "▁hey|▁friend")]
    [InlineData(PrependScheme.First, false, true, "hey|▁friend")]
    [InlineData(PrependScheme.Never, true, true, "hey|▁friend")]
    [InlineData(PrependScheme.Always, true, false, "▁hey▁friend")]
    public void MetaspaceSchemes(PrependScheme scheme, bool atTextStart, bool split, string expected) =>
        Assert.Equal(expected, string.Join('|', Split(new MetaspacePreTokenizer("▁", scheme, split), "hey friend", atTextStart)));

    [Fact]
    public void ByteLevelWithRegexSplitsLikeGpt2AndSpellsBytes() =>
        Assert.Equal(
            ["Hello", "Ġworld", "ĠÃ©"], Split(new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: true), "Hello world é"));

    [Fact]
    public void ByteLevelWithoutRegexKeepsOnePieceAndAddsThePrefixSpace() =>
        Assert.Equal(["ĠhiĠthere"], Split(new ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: false), "hi there"));

    [Fact]
    public void ReaderBuildsDigitsPunctuationWhitespaceAndSequence()
    {
        var tokenizer = TinyHfJson.LoadHf(TinyHfJson.File(
            TinyHfJson.Model(TinyHfJson.Letters("ab12,!"), []),
            preTokenizer: """
            {"type": "Sequence", "pretokenizers": [
              {"type": "WhitespaceSplit"}, {"type": "Punctuation", "behavior": "Isolated"},
              {"type": "Digits", "individual_digits": true}]}
            """));
        var pieces = new List<string>();
        tokenizer.Pipeline.PreTokenizer!.Split("ab12, !a", true, pieces);
        Assert.Equal(["ab", "1", "2", ",", "!", "a"], pieces);
    }

    [Fact]
    public void WhitespaceKeepsWordsAndPunctuationRuns()
    {
        var tokenizer = TinyHfJson.LoadHf(TinyHfJson.File(
            TinyHfJson.Model(TinyHfJson.Letters("ab"), []), preTokenizer: """{"type": "Whitespace"}"""));
        var pieces = new List<string>();
        tokenizer.Pipeline.PreTokenizer!.Split("Hey man!! ok?", true, pieces);
        Assert.Equal(["Hey", "man", "!!", "ok", "?"], pieces);
    }
}
