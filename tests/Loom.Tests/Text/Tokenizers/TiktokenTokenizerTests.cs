using Loom.Tests.Support;
using Loom.Text.Tokenizers;

namespace Loom.Tests.Text.Tokenizers;

/// <summary>o200k_base through Microsoft.ML.Tokenizers: known ids, round trips, raw bytes, save/load.</summary>
public class TiktokenTokenizerTests
{
    private static readonly TiktokenTokenizer O200k = TiktokenTokenizer.O200kBase();

    [Fact]
    public void HelloWorldHasTheKnownO200kIds()
    {
        // "Hello" 13225, "," 11, " world" 2375, "!" 0 in OpenAI's o200k_base
        var ids = O200k.Encode("Hello, world!");
        Assert.Equal([13225, 11, 2375, 0], ids);
        Assert.Equal("Hello, world!", O200k.Decode(ids));
    }

    [Fact]
    public void DescribesItself()
    {
        Assert.Equal("tiktoken:o200k_base", O200k.Kind);
        Assert.Equal(200019, O200k.VocabSize);
        Assert.Equal(199999, O200k.SpecialTokens["<|endoftext|>"]);
        Assert.Equal(199999, O200k.EosId);
        Assert.Equal(199999, O200k.BosId);
    }

    [Theory]
    [InlineData("emoji 🤖🎉👩‍👩‍👧, 中文字符, e\u0301, 𝐀𝐁")]
    [InlineData("  spaces\t\ttabs\r\n\nnewlines  ")]
    [InlineData("")]
    public void RoundTripsAndBytesAreUtf8(string text)
    {
        var ids = O200k.Encode(text);
        Assert.Equal(text, O200k.Decode(ids));
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(text), O200k.DecodeBytes(ids));
    }

    [Fact]
    public void SpecialTokenTextIsPlainTextUnlessAllowed()
    {
        var text = "end<|endoftext|>start";
        Assert.Contains(199999, O200k.Encode(text));
        var plain = O200k.Encode(text, allowSpecial: false);
        Assert.DoesNotContain(199999, plain);
        Assert.Equal(text, O200k.Decode(plain));
        Assert.Equal("endstart", O200k.Decode(O200k.Encode(text), skipSpecial: true));
    }

    [Fact]
    public void SpecialTokenStillRecognisedAfterEncodingAMegabyte()
    {
        // Microsoft.ML.Tokenizers 2.0.1 keeps special tokens only in its LRU piece cache; ~1 MB of text evicts them
        var text = File.ReadAllText(RepoPaths.BundledData("tinyshakespeare.txt"));
        var ids = O200k.Encode(text);
        Assert.Equal(text, O200k.Decode(ids));
        Assert.Equal([419, 199999, 5236], O200k.Encode("end<|endoftext|>start"));
        Assert.Equal([199999], O200k.Encode("<|endoftext|>"));
    }

    [Fact]
    public void SaveWritesTheEncodingNameAndLoadsBack()
    {
        using var folder = new TempFolder();
        O200k.Save(folder.Path);
        Assert.Contains("\"encoding\": \"o200k_base\"", File.ReadAllText(folder.File("tokenizer.json")));
        var loaded = TokenizerFiles.Load(folder.Path);
        Assert.Equal("tiktoken:o200k_base", loaded.Kind);
        Assert.Equal([13225, 11, 2375, 0], loaded.Encode("Hello, world!"));
    }
}
