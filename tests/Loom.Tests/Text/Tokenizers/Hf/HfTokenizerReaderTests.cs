using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;
using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>Normalizers, added tokens, unsupported components, Save and routing between the GPT-2 reader and the HF pipeline.</summary>
public class HfTokenizerReaderTests
{
    private const string PrependThenReplace = """
        {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
          {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}
        """;

    [Theory]
    [InlineData("""{"type": "NFC"}""", "e\u0301", "é")]
    [InlineData("""{"type": "NFD"}""", "é", "e\u0301")]
    [InlineData("""{"type": "NFKC"}""", "ﬁ", "fi")]
    [InlineData("""{"type": "Lowercase"}""", "AbC", "abc")]
    [InlineData("""{"type": "Strip", "strip_left": true, "strip_right": false}""", "  a  ", "a  ")]
    [InlineData("""{"type": "Prepend", "prepend": "▁"}""", "", "")]
    [InlineData("""{"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": "_"}""", "a \t b", "a_b")]
    [InlineData(PrependThenReplace, "a b", "▁a▁b")]
    public void NormalizersRewriteText(string json, string input, string expected)
    {
        var tokenizer = TinyHfJson.LoadHf(TinyHfJson.File(TinyHfJson.Model(["a"], []), normalizer: json));
        Assert.Equal(expected, tokenizer.Pipeline.Normalizer!.Normalize(input));
    }

    [Theory]
    [InlineData("pre_tokenizer", """{"type": "UnicodeScripts"}""", "pre_tokenizer 'UnicodeScripts' is not supported (supported: ")]
    [InlineData("normalizer", """{"type": "Precompiled"}""", "normalizer 'Precompiled' is not supported (supported: ")]
    [InlineData("decoder", """{"type": "CTC"}""", "decoder 'CTC' is not supported (supported: ")]
    [InlineData("post_processor", """{"type": "Weird"}""", "post_processor 'Weird' is not supported (supported: ")]
    public void UnsupportedComponentsAreOneLineErrors(string part, string json, string expected)
    {
        var file = TinyHfJson.File(TinyHfJson.Model(["a"], []), normalizer: """{"type": "NFC"}""");
        file[part] = JsonNode.Parse(json);
        var e = Assert.Throws<LoomDataException>(() => TinyHfJson.Load(file));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void WordLevelModelIsNamedInTheError()
    {
        var file = TinyHfJson.File(new JsonObject { ["type"] = "WordLevel", ["vocab"] = new JsonObject() });
        var e = Assert.Throws<LoomDataException>(() => TinyHfJson.Load(file));
        Assert.Contains("model 'WordLevel' is not supported (supported: BPE, Unigram, WordPiece)", e.Message);
    }

    [Fact]
    public void AddedTokensHonourSpecialAndNormalizedFlags()
    {
        var file = TinyHfJson.File(
            TinyHfJson.Model(["<", "x", ">", "a", "▁"], []),
            normalizer: """{"type": "Replace", "pattern": {"String": " "}, "content": "▁"}""",
            addedTokens: """
            [{"id": 5, "content": "<x>", "special": true, "normalized": false},
             {"id": 6, "content": "▁a", "special": false, "normalized": true}]
            """);
        var tokenizer = TinyHfJson.LoadHf(file);
        Assert.Equal([5, 6], tokenizer.Encode("<x> a"));
        Assert.Equal([0, 1, 2, 6], tokenizer.Encode("<x> a", allowSpecial: false));
        Assert.Equal(new Dictionary<string, int> { ["<x>"] = 5 }, tokenizer.SpecialTokens);
        Assert.Equal("▁a", tokenizer.Decode([5, 6], skipSpecial: true).Replace(" ", ""));
    }

    [Fact]
    public void SaveWritesTheOriginalFilesBackUnchanged()
    {
        using var source = new TempFolder();
        var text = TinyHfJson.File(TinyHfJson.Model(["a", "b", "ab"], ["a b"]), normalizer: """{"type": "NFC"}""").ToJsonString()
            + "\n  ";
        File.WriteAllText(source.File("tokenizer.json"), text);
        File.WriteAllText(source.File("tokenizer_config.json"), """{"bos_token": {"content": "b"}, "eos_token": "a"}""");
        var tokenizer = TokenizerFiles.Load(source.Path);
        Assert.Equal((1, 0), (tokenizer.BosId, tokenizer.EosId));

        using var target = new TempFolder();
        tokenizer.Save(target.Path);
        Assert.Equal(text, File.ReadAllText(target.File("tokenizer.json")));
        var reloaded = TokenizerFiles.Load(target.Path);
        Assert.Equal([2], reloaded.Encode("ab"));
        Assert.Equal((1, 0), (reloaded.BosId, reloaded.EosId));
    }

    [Theory]
    [InlineData("llama3", 128000, 128001)]
    [InlineData("qwen3", null, 151645)]
    [InlineData("llama2", 1, 2)]
    [InlineData("gemma3", 2, 106)]
    public void BosAndEosComeFromTheTokenizerConfig(string model, int? bos, int? eos)
    {
        var tokenizer = HfPeerModels.Load(model);
        Assert.Equal((bos, eos), (tokenizer.BosId, tokenizer.EosId));
    }

    [Fact]
    public void PlainGpt2LayoutStaysAByteLevelBpeTokenizer()
    {
        var trained = ByteLevelBpeTokenizer.Train("hello hello world", 270);
        using var folder = new TempFolder();
        trained.Save(folder.Path);
        Assert.IsType<ByteLevelBpeTokenizer>(TokenizerFiles.Load(folder.Path));
    }

    [Fact]
    public void TheHfPipelineEncodesLikeTheGpt2ReaderOnTheHfFixture()
    {
        // The same file with an explicit NFC normalizer (a no-op on this text) goes through the HF pipeline.
        var gpt2 = ByteLevelBpeTokenizer.FromJsonFile(BpeFixture.TokenizerPath);
        var json = JsonNode.Parse(File.ReadAllText(BpeFixture.TokenizerPath))!.AsObject();
        json["normalizer"] = JsonNode.Parse("""{"type": "NFC"}""");
        var hf = TinyHfJson.LoadHf(json);
        foreach (var c in BpeFixture.Cases.Where(c => c.Text.IsNormalized()))
        {
            Assert.Equal(c.Ids, hf.Encode(c.Text));
            Assert.Equal(gpt2.Decode(c.Ids), hf.Decode(c.Ids));
        }
    }
}
