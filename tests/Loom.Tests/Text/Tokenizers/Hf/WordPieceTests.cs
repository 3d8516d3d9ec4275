using System.Text.Json.Nodes;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;
using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>A tiny BERT-style file (BertNormalizer, BertPreTokenizer, WordPiece, BertProcessing, WordPiece decoder):
/// ids with and without [CLS]/[SEP] and decoding equal @lenml/tokenizers'; a few ids are checked by hand.</summary>
public class WordPieceTests
{
    private static readonly string[] Vocab =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "##s", "un", "##aff", "##able", ",", "!", "cafe", "中", "文",
        "he", "##llo", "'", "t", "don", "a", "##b", ".",
    ];

    private static readonly string[] Texts =
    [
        "Hello, worlds!", "unaffable", "Café 中文 ok", "don't", "  HELLO\tworld\n", "ab a b", "unknownword", "", "a.b!",
        "e\u0301", "x\u0000y",
    ];

    private static JsonObject File() => new()
    {
        ["added_tokens"] = JsonNode.Parse("""
            [{"id": 0, "content": "[PAD]", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false},
             {"id": 1, "content": "[UNK]", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false},
             {"id": 2, "content": "[CLS]", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false},
             {"id": 3, "content": "[SEP]", "special": true, "normalized": false, "lstrip": false, "rstrip": false, "single_word": false}]
            """),
        ["normalizer"] = JsonNode.Parse(
            """{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true}"""),
        ["pre_tokenizer"] = JsonNode.Parse("""{"type": "BertPreTokenizer"}"""),
        ["post_processor"] = JsonNode.Parse("""{"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]}"""),
        ["decoder"] = JsonNode.Parse("""{"type": "WordPiece", "prefix": "##", "cleanup": true}"""),
        ["model"] = new JsonObject
        {
            ["type"] = "WordPiece",
            ["unk_token"] = "[UNK]",
            ["continuing_subword_prefix"] = "##",
            ["max_input_chars_per_word"] = 100,
            ["vocab"] = new JsonObject(Vocab.Select((t, i) => KeyValuePair.Create(t, (JsonNode?)JsonValue.Create(i)))),
        },
    };

    [Fact]
    public void IdsAndDecodingEqualThePeers()
    {
        using var folder = new TempFolder();
        var path = folder.File("tokenizer.json");
        System.IO.File.WriteAllText(path, File().ToJsonString());
        var tokenizer = Assert.IsType<HfTokenizer>(TokenizerFiles.Load(path));
        var peer = HfPeerModels.AskFile(path, null, Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(peer.Plain[i], tokenizer.Encode(Texts[i]));
            Assert.Equal(peer.Special[i], tokenizer.Encode(Texts[i], allowSpecial: true, addSpecialTokens: true));
            Assert.Equal(peer.Decoded[i], tokenizer.Decode(peer.Plain[i]));
        }
    }

    [Fact]
    public void GreedyLongestMatchWithContinuationPrefix()
    {
        var tokenizer = TinyHfJson.Load(File());
        Assert.Equal([7, 8, 9], tokenizer.Encode("unaffable"));
        Assert.Equal([4, 10, 5, 6, 11], tokenizer.Encode("Hello, worlds!"));
        Assert.Equal([1], tokenizer.Encode("unknownword"));
        Assert.Equal("hello, worlds!", tokenizer.Decode([4, 10, 5, 6, 11]));
    }
}
