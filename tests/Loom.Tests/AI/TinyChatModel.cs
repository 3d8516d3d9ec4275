using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Transformer;
using Loom.Text.Tokenizers;

namespace Loom.Tests.AI;

/// <summary>A tiny random character-level GPT (untied head, so the head reads the hidden states) for the MEAI tests.</summary>
internal static class TinyChatModel
{
    public const string Alphabet = "abcdefghijklmnopqrstuvwxyz .,!?\nHELO";

    public static NeuralLanguageModel Create(long seed = 5)
    {
        var tokenizer = new CharTokenizer(Alphabet.EnumerateRunes().Select(r => r.ToString()).Distinct().Order(StringComparer.Ordinal)
            .ToList());
        var config = TransformerConfig.Llama(tokenizer.VocabSize, 64, 2, 4, 2, 32);
        return new NeuralLanguageModel("llama", new DecoderTransformer(config, seed), tokenizer, SequenceLayout.Stream, 0);
    }

    /// <summary>The same model saved as a Loom checkpoint in <paramref name="folder"/>.</summary>
    public static void Save(string folder)
    {
        using var model = Create();
        Checkpoint.Save(folder, model, new ModelCard());
    }
}
