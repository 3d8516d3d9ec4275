using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;

namespace Loom.Tests.Text.Tokenizers;

/// <summary>CLI specs make the right tokenizer; TokenizerFiles.Load picks the right one and rejects bad files.</summary>
public class TokenizerFactoryTests
{
    private const string Text = "To be, or not to be, that is the question:\nWhether 'tis nobler in the mind to suffer\n";

    [Fact]
    public void CharSpec()
    {
        var t = Assert.IsType<CharTokenizer>(TokenizerFactory.Create("char", Text));
        Assert.Equal(Text, t.Decode(t.Encode(Text)));
    }

    [Fact]
    public void BpeSpecTrainsToTheSizeWithEndOfText()
    {
        var t = Assert.IsType<ByteLevelBpeTokenizer>(TokenizerFactory.Create("bpe:300", Text));
        Assert.Equal(300, t.VocabSize);
        Assert.Equal(0, t.EosId);
        Assert.Equal(Text, t.Decode(t.Encode(Text)));
    }

    [Theory]
    [InlineData("tiktoken")]
    [InlineData("o200k")]
    [InlineData("TikToken")]
    public void TiktokenSpecs(string spec) =>
        Assert.Equal("tiktoken:o200k_base", TokenizerFactory.Create(spec, "").Kind);

    [Theory]
    [InlineData("wordpiece")]
    [InlineData("bpe")]
    [InlineData("bpe:abc")]
    [InlineData("bpe:100")]
    [InlineData("")]
    public void BadSpecIsAUsageErrorListingTheValidOnes(string spec)
    {
        var e = Assert.Throws<LoomUsageException>(() => TokenizerFactory.Create(spec, Text));
        Assert.Contains("bpe:N", e.Message);
    }

    [Fact]
    public void LoadRejectsMissingAndUnknownFiles()
    {
        using var folder = new TempFolder();
        Assert.Contains("tokenizer.json", Assert.Throws<LoomDataException>(() => TokenizerFiles.Load(folder.Path)).Message);
        File.WriteAllText(folder.File("tokenizer.json"), """{"kind":"sentencepiece"}""");
        Assert.Contains("sentencepiece", Assert.Throws<LoomDataException>(() => TokenizerFiles.Load(folder.Path)).Message);
        File.WriteAllText(folder.File("tokenizer.json"), """{"model":{"type":"WordLevel"}}""");
        Assert.Contains("WordLevel", Assert.Throws<LoomDataException>(() => TokenizerFiles.Load(folder.Path)).Message);
        File.WriteAllText(folder.File("tokenizer.json"), "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<LoomDataException>(() => TokenizerFiles.Load(folder.Path)).Message);
    }

    [Fact]
    public void LoadReadsStringMergesAndRejectsUnsupportedPipelines()
    {
        using var folder = new TempFolder();
        var json = File.ReadAllText(BpeFixture.TokenizerPath);
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        var merges = node["model"]!["merges"]!.AsArray();
        var asStrings =
            new System.Text.Json.Nodes.JsonArray(merges.Select(m => (System.Text.Json.Nodes.JsonNode?)$"{m![0]} {m[1]}").ToArray());
        node["model"]!["merges"] = asStrings;
        File.WriteAllText(folder.File("tokenizer.json"), node.ToJsonString());
        var loaded = TokenizerFiles.Load(folder.Path);
        foreach (var c in BpeFixture.Cases)
            Assert.Equal(c.Ids, loaded.Encode(c.Text));

        // add_prefix_space is no longer the GPT-2 layout: the HF pipeline reads it and puts the space in front.
        node["pre_tokenizer"]!["add_prefix_space"] = true;
        File.WriteAllText(folder.File("tokenizer.json"), node.ToJsonString());
        var prefixed = Assert.IsType<Loom.Text.Tokenizers.Hf.HfTokenizer>(TokenizerFiles.Load(folder.Path));
        Assert.Equal(loaded.Encode(" hello"), prefixed.Encode("hello"));

        node["pre_tokenizer"] = System.Text.Json.Nodes.JsonNode.Parse("""{"type": "UnicodeScripts"}""");
        File.WriteAllText(folder.File("tokenizer.json"), node.ToJsonString());
        Assert.Contains("pre_tokenizer 'UnicodeScripts' is not supported",
            Assert.Throws<LoomDataException>(() => TokenizerFiles.Load(folder.Path)).Message);
    }
}
