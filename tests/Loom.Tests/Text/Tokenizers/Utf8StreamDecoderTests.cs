using System.Text;
using Loom.Text.Tokenizers;

namespace Loom.Tests.Text.Tokenizers;

/// <summary>Streaming decode never splits a UTF-8 character and adds up to the one-shot decode.</summary>
public class Utf8StreamDecoderTests
{
    private static readonly ByteLevelBpeTokenizer Bpe = ByteLevelBpeTokenizer.FromJsonFile(BpeFixture.TokenizerPath);

    private static (List<string> Pieces, string Tail) Stream(ITokenizer tokenizer, IEnumerable<int> ids, bool skipSpecial = false)
    {
        var decoder = new Utf8StreamDecoder(tokenizer, skipSpecial);
        var pieces = ids.Select(decoder.Push).ToList();
        return (pieces, decoder.Flush());
    }

    [Fact]
    public void EmojiSplitAcrossTokensComesOutWhole()
    {
        var text = "emoji 🤖🎉 and 日本語";
        var ids = Bpe.Encode(text);
        // the fixture's vocabulary has no multi-byte merges for these, so each 4-byte emoji spans several tokens
        Assert.Contains(ids, id => Bpe.DecodeBytes([id]).Length < 4 && (Bpe.DecodeBytes([id])[0] & 0xC0) == 0x80);
        var (pieces, rest) = Stream(Bpe, ids);
        Assert.All(pieces, p => Assert.DoesNotContain('\uFFFD', p));
        Assert.Equal(Bpe.Decode(ids), string.Concat(pieces) + rest);
        Assert.Equal("", rest);
        Assert.Contains("🤖", pieces);
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void PushesPlusFlushEqualDecodeForEveryFixtureCase(int index)
    {
        var ids = BpeFixture.Cases[index].Ids;
        var (pieces, rest) = Stream(Bpe, ids);
        Assert.Equal(Bpe.Decode(ids), string.Concat(pieces) + rest);
        Assert.All(pieces, p => Assert.DoesNotContain('\uFFFD', p));
    }

    public static TheoryData<int> FixtureCases => BpeFixture.Indices();

    [Fact]
    public void IncompleteTailFlushesAsReplacementCharacter()
    {
        var decoder = new Utf8StreamDecoder(Bpe);
        var emoji = Encoding.UTF8.GetBytes("🤖");
        Assert.Equal("a", decoder.Push("a"u8));
        Assert.Equal("", decoder.Push(emoji.AsSpan(0, 2)));
        Assert.Equal("\uFFFD", decoder.Flush());
        Assert.Equal("🤖", decoder.Push(emoji)); // the decoder starts afresh after a flush
    }

    [Fact]
    public void InvalidByteInTheMiddleIsReplacedLikeDecode()
    {
        var bytes = new byte[] { 0x61, 0xFF, 0x62, 0xF0, 0x9F, 0xA4, 0x96 };
        var decoder = new Utf8StreamDecoder(Bpe);
        var streamed = string.Concat(bytes.Select(b => decoder.Push([b]))) + decoder.Flush();
        Assert.Equal(Encoding.UTF8.GetString(bytes), streamed);
    }

    [Fact]
    public void SkipsSpecialTokensWhenAsked()
    {
        var ids = Bpe.Encode("a<|endoftext|>b");
        var (pieces, rest) = Stream(Bpe, ids, skipSpecial: true);
        Assert.Equal("ab", string.Concat(pieces) + rest);
        Assert.Equal("a<|endoftext|>b", string.Concat(Stream(Bpe, ids).Pieces));
    }

    [Fact]
    public void WorksWithTiktoken()
    {
        var o200k = TiktokenTokenizer.O200kBase();
        var text = "rare emoji 🦩🫎 and 𠀀";
        var ids = o200k.Encode(text);
        var (pieces, rest) = Stream(o200k, ids);
        Assert.All(pieces, p => Assert.DoesNotContain('\uFFFD', p));
        Assert.Equal(text, string.Concat(pieces) + rest);
    }
}
