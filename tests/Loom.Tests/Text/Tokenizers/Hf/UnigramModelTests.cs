using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;
using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>
/// The Unigram model (Viterbi) on a tiny SentencePiece-style file with a Metaspace pre-tokenizer: ids and decoding equal
/// @lenml/tokenizers', and byte fallback (which the peer does not implement for Unigram) is checked by hand.
/// </summary>
public class UnigramModelTests
{
    private static readonly string[] Texts = ["ab abc", "abcabc", "xyz ab", "é a", "cab", "", " aa bb", "x"];

    private static JsonObject File(bool byteFallback) => new()
    {
        ["normalizer"] = null,
        ["post_processor"] = null,
        ["added_tokens"] = JsonNode.Parse("""
            [{"id": 0, "content": "<unk>", "special": true, "normalized": false, "lstrip": false, "rstrip": false,
              "single_word": false}]
            """),
        ["pre_tokenizer"] = JsonNode.Parse(
            """{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true, "add_prefix_space": true}"""),
        ["decoder"] = JsonNode.Parse(
            """{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true, "add_prefix_space": true}"""),
        ["model"] = new JsonObject
        {
            ["type"] = "Unigram",
            ["unk_id"] = 0,
            ["byte_fallback"] = byteFallback,
            // ids 0..12: scores are log-probabilities; "▁a" + "bc" beats "▁ab" + "c" and "▁" + "abc".
            ["vocab"] = JsonNode.Parse("""
                [["<unk>", 0], ["▁", -2], ["a", -3], ["b", -3], ["ab", -4], ["▁ab", -5.5], ["c", -4], ["abc", -6],
                 ["▁a", -4], ["<0xC3>", -10], ["<0xA9>", -10], ["bc", -3.5], ["<0x78>", -10]]
                """),
        },
    };

    [Fact]
    public void IdsAndDecodingEqualThePeers()
    {
        using var folder = new TempFolder();
        var path = folder.File("tokenizer.json");
        System.IO.File.WriteAllText(path, File(byteFallback: false).ToJsonString());
        var tokenizer = Assert.IsType<HfTokenizer>(TokenizerFiles.Load(path));
        var peer = HfPeerModels.AskFile(path, null, Texts);
        for (int i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(peer.Plain[i], tokenizer.Encode(Texts[i]));
            Assert.Equal(peer.Decoded[i], tokenizer.Decode(peer.Plain[i]));
        }
        Assert.Equal([8, 11, 7], tokenizer.Encode("abcabc"));
        Assert.Equal([1, 0, 5], tokenizer.Encode("xyz ab"));
    }

    [Fact]
    public void ByteFallbackSpellsAFusedUnknownRunWhenEveryByteHasAToken()
    {
        var tokenizer = TinyHfJson.Load(File(byteFallback: true));
        Assert.Equal([1, 12, 9, 10], tokenizer.Encode("xé"));
        Assert.Equal([1, 0], tokenizer.Encode("xyz"));
    }

    [Fact]
    public void VocabEntriesMustBeTokenScorePairs()
    {
        var file = File(byteFallback: false);
        file["model"]!["vocab"] = JsonNode.Parse("""[["a"]]""");
        var e = Assert.Throws<LoomDataException>(() => TinyHfJson.Load(file));
        Assert.Contains("Unigram vocab entry 0 must be [token, score]", e.Message);
    }
}
