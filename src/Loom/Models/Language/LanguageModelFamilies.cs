using Loom.Core;
using Loom.Models.Recurrent;
using Loom.Models.Transformer;

namespace Loom.Models.Language;

/// <summary>Registry entry <c>gpt</c>: GPT-2-style transformer (learned positions, LayerNorm, tied head).</summary>
public sealed class GptFamily : TransformerLanguageModelFamily
{
    public override string Kind => "gpt";
    public override string Summary => "GPT-2-style decoder-only transformer language model";

    protected override TransformerConfig Config(LanguageModelRecipe recipe, int vocabSize, int context)
    {
        int heads = recipe.Heads!.Value;
        if (recipe.KvHeads is { } kv && kv != heads)
            throw LoomUsageException.ForOption("KvHeads", "grouped-query attention is a llama feature; use loom train llama");
        return TransformerConfig.Gpt2(vocabSize, context, recipe.Layers!.Value, heads, recipe.Width!.Value, recipe.Dropout!.Value);
    }
}

/// <summary>Registry entry <c>llama</c>: Llama-style transformer (RMSNorm, RoPE, SwiGLU, grouped-query attention).</summary>
public sealed class LlamaFamily : TransformerLanguageModelFamily
{
    public override string Kind => "llama";
    public override string Summary => "Llama-style transformer language model (RMSNorm, RoPE, SwiGLU, grouped-query attention)";

    protected override TransformerConfig Config(LanguageModelRecipe recipe, int vocabSize, int context)
    {
        int heads = recipe.Heads!.Value;
        return TransformerConfig.Llama(vocabSize, context, recipe.Layers!.Value, heads, recipe.KvHeads ?? heads, recipe.Width!.Value,
            recipe.Dropout!.Value);
    }
}

/// <summary>Registry entry <c>lstm</c>.</summary>
public sealed class LstmFamily : RecurrentLanguageModelFamily
{
    public override string Kind => "lstm";
    public override string Summary => "LSTM language model";
    protected override string LinePreset => "names-lstm";
    protected override RecurrentCell Cell => RecurrentCell.Lstm;
}

/// <summary>Registry entry <c>gru</c>.</summary>
public sealed class GruFamily : RecurrentLanguageModelFamily
{
    public override string Kind => "gru";
    public override string Summary => "GRU language model";
    protected override string LinePreset => "names-gru";
    protected override RecurrentCell Cell => RecurrentCell.Gru;
}
