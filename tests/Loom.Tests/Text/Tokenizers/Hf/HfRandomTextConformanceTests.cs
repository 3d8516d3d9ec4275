namespace Loom.Tests.Text.Tokenizers.Hf;

/// <summary>
/// Seeded random texts glued from fragments that stress the pipelines (whitespace runs before letters, digits next to
/// letters, apostrophes, astral characters, combining marks, special-token text cut in half): ids and decoding must
/// equal @lenml/tokenizers' for each real model file.
/// </summary>
public class HfRandomTextConformanceTests
{
    private static readonly string[] Fragments =
    [
        " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n ", "a", "Z", "word", " word", "Ünïcödé", "e\u0301", "\u0301", "ß",
        "1", "12", "123", "1234", "3.14", "٣", "𝟙", "'", "'s", "'LL", "n't", "!", "?!", "...", "(", "){", "_", "-", "—",
        "😀", "👨\u200D👩\u200D👧", "🇫🇷", "👍🏽", "𝐀", "中", "文字", "日本語", "한", "Ж", "слово", "ع", "שלום", "\u00a0", "\u3000",
        "<", ">", "<s", "s>", "<s>", "</s>", "<|", "|>", "<|begin_of_text|>", "<|im_start|>", "<start_of_turn>", "<0x41>",
        "▁", "▁▁", "\u200b", "ﬁ", "Å", "A\u030a", "#", "@", "$5", "%", "&amp;", "\\", "\"", "`code`", "    indented",
    ];

    public static TheoryData<string> Models => new(HfPeerModels.Names);

    [Theory]
    [MemberData(nameof(Models))]
    public void RandomTextsEncodeAndDecodeLikeThePeer(string model)
    {
        var random = new Random(20261206);
        var texts = Enumerable.Range(0, 300)
            .Select(_ => string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => Fragments[random.Next(Fragments.Length)])))
            .ToArray();
        var tokenizer = HfPeerModels.Load(model);
        var peer = HfPeerModels.Ask(model, texts);
        for (int i = 0; i < texts.Length; i++)
        {
            var ids = tokenizer.Encode(texts[i]);
            Assert.True(peer.Plain[i].SequenceEqual(ids),
                $"{model}: '{texts[i]}'\n  peer [{string.Join(' ', peer.Plain[i])}]\n  loom [{string.Join(' ', ids)}]");
            Assert.Equal(peer.Decoded[i], tokenizer.Decode(peer.Plain[i]));
        }
    }
}
