using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>Decoders on token lists and post-processors on ids, with hand-worked expectations.</summary>
public class DecoderAndPostProcessorTests
{
    private static string Decode(Decoder decoder, params string[] tokens) => string.Concat(decoder.DecodeChain([.. tokens]));

    [Fact]
    public void SentencePieceStyleChainRestoresSpacesAndBytes()
    {
        var chain = new SequenceDecoder([
            new ReplaceDecoder(new CodePointRegex("▁"), " "), new ByteFallbackDecoder(), new FuseDecoder(), new StripDecoder(' ', 1, 0)]);
        Assert.Equal("Hi é!", Decode(chain, "▁Hi", "▁", "<0xC3>", "<0xA9>", "!"));
    }

    [Fact]
    public void ByteFallbackGivesOneReplacementCharacterPerInvalidByte() =>
        Assert.Equal("\uFFFD\uFFFDx", Decode(new ByteFallbackDecoder(), "<0xC3>", "<0xFF>", "x"));

    [Fact]
    public void StripRemovesOnlyTheCountedCharacters()
    {
        Assert.Equal(["ab ", " c"], new StripDecoder(' ', 2, 1).DecodeChain(["  ab  ", "   c"]));
    }

    [Fact]
    public void MetaspaceDropsTheLeadingSpaceOfTheFirstTokenOnly()
    {
        Assert.Equal("hey friend", Decode(new MetaspaceDecoder("▁", PrependScheme.Always), "▁hey", "▁friend"));
        Assert.Equal(" hey friend", Decode(new MetaspaceDecoder("▁", PrependScheme.Never), "▁hey", "▁friend"));
    }

    [Fact]
    public void ByteLevelDecodesUtf8SplitAcrossTokens() =>
        Assert.Equal(" é", Decode(new ByteLevelDecoder(), "ĠÃ", "©"));

    [Fact]
    public void TemplateProcessingAddsItsSpecialTokensAroundTheText()
    {
        var tokenizer = TinyHfJson.LoadHf(TinyHfJson.File(
            TinyHfJson.Model(["<s>", "</s>", "a"], []),
            postProcessor: """
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                        {"SpecialToken": {"id": "</s>", "type_id": 0}}],
             "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                                "</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}}}
            """));
        Assert.Equal([2, 2], tokenizer.Encode("aa"));
        Assert.Equal([0, 2, 2, 1], tokenizer.Encode("aa", allowSpecial: true, addSpecialTokens: true));
        Assert.Equal(0, tokenizer.BosId);
    }

    [Fact]
    public void BertProcessingAddsClsAndSep()
    {
        var tokenizer = TinyHfJson.LoadHf(TinyHfJson.File(
            TinyHfJson.Model(["[CLS]", "[SEP]", "a"], []),
            postProcessor: """{"type": "BertProcessing", "cls": ["[CLS]", 0], "sep": ["[SEP]", 1]}"""));
        Assert.Equal([0, 2, 1], tokenizer.Encode("a", allowSpecial: true, addSpecialTokens: true));
    }
}
