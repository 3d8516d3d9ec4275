using Loom.Core;
using Loom.Models.Recurrent;
using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>Overrides of a preset's network shape from the command line (null keeps the preset's value).</summary>
public sealed record NetworkOverrides
{
    public int? Layers { get; init; }
    public int? Heads { get; init; }
    public int? KvHeads { get; init; }
    public int? Width { get; init; }
    public int? Context { get; init; }
    public double? Dropout { get; init; }
    public int? Hidden { get; init; }
    public int? EmbeddingWidth { get; init; }
}

/// <summary>Builds the network of a kind (<c>gpt</c>, <c>llama</c>, <c>lstm</c>, <c>gru</c>) from a preset, overrides and a vocabulary size.</summary>
public static class LanguageModelFactory
{
    public static readonly string[] Kinds = ["gpt", "llama", "lstm", "gru"];

    public static nn.Module Create(string kind, LanguageModelPreset preset, NetworkOverrides o, int vocabSize, int context, long seed)
    {
        switch (kind)
        {
            case "gpt" or "llama":
            {
                var t = preset.Transformer ?? TransformerConfig.Gpt2(vocabSize, context, 4, 4, 128);
                int heads = o.Heads ?? t.Heads;
                var config = kind == "gpt"
                    ? TransformerConfig.Gpt2(vocabSize, context, o.Layers ?? t.Layers, heads, o.Width ?? t.Width, o.Dropout ?? t.Dropout)
                    : TransformerConfig.Llama(vocabSize, context, o.Layers ?? t.Layers, heads, o.KvHeads ?? heads, o.Width ?? t.Width, o.Dropout ?? t.Dropout);
                if (kind == "gpt" && o.KvHeads is { } kv && kv != heads)
                    throw new LoomUsageException("--kv-heads: grouped-query attention is a llama feature; use loom train llama");
                return new DecoderTransformer(config, seed);
            }
            case "lstm" or "gru":
            {
                var r = preset.Recurrent ?? new RecurrentConfig { EmbeddingWidth = 64, Hidden = 256, Layers = 1 };
                var config = r with
                {
                    Cell = kind == "lstm" ? RecurrentCell.Lstm : RecurrentCell.Gru,
                    VocabSize = vocabSize,
                    Layers = o.Layers ?? r.Layers,
                    Hidden = o.Hidden ?? r.Hidden,
                    EmbeddingWidth = o.EmbeddingWidth ?? r.EmbeddingWidth,
                    Dropout = o.Dropout ?? r.Dropout,
                };
                return new RecurrentLanguageModel(config, seed);
            }
            default:
                throw new LoomUsageException($"'{kind}' is not a neural text model; use {string.Join(", ", Kinds)}");
        }
    }

    /// <summary>The preset a kind uses when none is named: nanoGPT's CPU run for a text stream, makemore's names setup for line data.</summary>
    public static string DefaultPreset(string kind, bool lineData) => (kind, lineData) switch
    {
        (_, false) => "shakespeare-char-cpu",
        ("gpt" or "llama", true) => "names",
        ("lstm", true) => "names-lstm",
        _ => "names-gru",
    };
}
