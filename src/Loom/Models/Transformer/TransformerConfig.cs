using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Transformer;

/// <summary>
/// The two layouts of <see cref="DecoderTransformer"/>; each names its tensors as the HF model of that style does. The
/// Llama style also covers Mistral, Qwen2, Qwen3, Gemma and Phi-3 through the Llama-family options of
/// <see cref="TransformerConfig"/>.
/// </summary>
public enum TransformerStyle
{
    /// <summary>GPT-2: learned positions, LayerNorm, GELU (tanh) MLP, fused QKV projection, tied embeddings (HF <c>GPT2LMHeadModel</c>
    /// keys).</summary>
    Gpt2,
    /// <summary>Llama: RMSNorm, rotary positions, SwiGLU MLP, grouped-query attention, untied head (HF <c>LlamaForCausalLM</c>
    /// keys).</summary>
    Llama,
}

/// <summary>The activation inside the gated MLP of the Llama style: down(act(gate(x)) · up(x)).</summary>
public enum GatedActivation
{
    /// <summary>SiLU (SwiGLU; Llama, Mistral, Qwen, Phi-3).</summary>
    Silu,
    /// <summary>GELU with the tanh approximation (GeGLU; Gemma's <c>gelu_pytorch_tanh</c>).</summary>
    GeluTanh,
    /// <summary>Exact (erf) GELU.</summary>
    Gelu,
}

/// <summary>Hyperparameters of a decoder-only transformer. A record: derive variants with <c>with { }</c>.</summary>
public sealed record TransformerConfig
{
    public TransformerStyle Style { get; init; } = TransformerStyle.Gpt2;
    public int VocabSize { get; init; } = 65;
    /// <summary>Longest sequence (learned position table size for GPT-2; the RoPE cache length for Llama).</summary>
    public int ContextLength { get; init; } = 256;
    public int Layers { get; init; } = 6;
    public int Heads { get; init; } = 6;
    /// <summary>Key/value heads (grouped-query attention); equal to <see cref="Heads"/> for plain multi-head attention.</summary>
    public int KvHeads { get; init; } = 6;
    public int Width { get; init; } = 384;
    /// <summary>Hidden width of the MLP; 0 means 4 × width (GPT-2) or HF's Llama rule (⌊8·width/3⌋ rounded up to a multiple of
    /// 32).</summary>
    public int FfnWidth { get; init; }
    public double Dropout { get; init; }
    public double NormEps { get; init; } = 1e-5;
    public double RopeTheta { get; init; } = 10000;
    /// <summary>Biases in the linear layers (GPT-2 has them; Llama does not).</summary>
    public bool Bias { get; init; } = true;
    /// <summary>GPT-2 MLP activation: GELU with the tanh approximation (HF's gelu_new, the default) or exact GELU (nanoGPT).</summary>
    public bool ExactGelu { get; init; }
    /// <summary>The output head shares the token embedding matrix.</summary>
    public bool TieEmbeddings { get; init; } = true;

    // Llama-family options: each default is plain Llama, so configs saved before they existed read unchanged.

    /// <summary>Width of one attention head; 0 means Width / Heads (HF <c>head_dim</c>, explicit in Qwen3 and Gemma).</summary>
    public int HeadWidth { get; init; }
    /// <summary>Biases on the q, k and v projections even when <see cref="Bias"/> is off (Qwen2).</summary>
    public bool QkvBias { get; init; }
    /// <summary>RMSNorm over each head of the queries and keys before the rotation (Qwen3's <c>q_norm</c>, <c>k_norm</c>).</summary>
    public bool QkNorm { get; init; }
    /// <summary>RMSNorms scale by (1 + weight), weights starting at 0 (Gemma).</summary>
    public bool NormWeightPlusOne { get; init; }
    /// <summary>Token embeddings are multiplied by √width, rounded to the model dtype (Gemma).</summary>
    public bool ScaleEmbeddings { get; init; }
    /// <summary>The activation of the gated MLP: SiLU (SwiGLU, Llama) or GELU (GeGLU, Gemma).</summary>
    public GatedActivation MlpActivation { get; init; } = GatedActivation.Silu;
    /// <summary>One <c>qkv_proj</c> and one <c>gate_up_proj</c> matrix instead of separate ones (Phi-3).</summary>
    public bool FusedProjections { get; init; }
    /// <summary>Each token attends to at most this many tokens, itself included (Mistral, Phi-3); 0 = the whole prefix.</summary>
    public int SlidingWindow { get; init; }
    /// <summary>How rotary frequencies are scaled for long contexts (Llama 3.1's llama3, linear, dynamic NTK).</summary>
    public RopeScaling RopeScaling { get; init; } = RopeScaling.None;

    public int HeadDim => HeadWidth > 0 ? HeadWidth : Width / Heads;
    public int MlpWidth => FfnWidth > 0 ? FfnWidth : Style == TransformerStyle.Gpt2 ? 4 * Width : (8 * Width / 3 + 31) / 32 * 32;

    /// <summary>GPT-2 defaults for the other fields.</summary>
    public static TransformerConfig Gpt2(int vocab, int context, int layers, int heads, int width, double dropout = 0) => new()
    {
        Style = TransformerStyle.Gpt2, VocabSize = vocab, ContextLength = context, Layers = layers, Heads = heads, KvHeads = heads,
        Width = width, Dropout = dropout, Bias = true, TieEmbeddings = true,
    };

    /// <summary>Llama defaults for the other fields (no biases, untied head, grouped-query attention when kvHeads &lt; heads).</summary>
    public static TransformerConfig Llama(int vocab, int context, int layers, int heads, int kvHeads, int width, double dropout = 0) =>
        new()
        {
            Style = TransformerStyle.Llama, VocabSize = vocab, ContextLength = context, Layers = layers, Heads = heads, KvHeads = kvHeads,
            Width = width, Dropout = dropout, Bias = false, TieEmbeddings = false,
        };

    private bool HasLlamaFamilyOptions => HeadWidth != 0 || QkvBias || QkNorm || NormWeightPlusOne || ScaleEmbeddings
        || MlpActivation != GatedActivation.Silu || FusedProjections || SlidingWindow != 0 || RopeScaling.Kind != RopeScalingKind.None;

    public void Validate()
    {
        if (VocabSize < 2) throw new LoomUsageException($"transformer: vocabulary size must be at least 2, got {VocabSize}");
        if (ContextLength < 1) throw LoomUsageException.ForOption(nameof(ContextLength), $"must be at least 1, got {ContextLength}");
        if (Layers < 1) throw LoomUsageException.ForOption(nameof(Layers), $"must be at least 1, got {Layers}");
        if (Heads < 1
            || (HeadWidth == 0 && Width % Heads != 0)) throw LoomUsageException.ForOption(nameof(Heads),
                $"{Heads} must be at least 1 and divide Width {Width}");
        // Config-only fields (read from an HF config.json; no command sets them), so the message names the config field.
        if (HeadWidth < 0) throw new LoomUsageException($"transformer: head_dim must be 0 or positive, got {HeadWidth}");
        if (SlidingWindow < 0) throw new LoomUsageException($"transformer: sliding_window must be 0 or positive, got {SlidingWindow}");
        if (Style == TransformerStyle.Gpt2
            && HasLlamaFamilyOptions) throw new LoomUsageException("transformer: the Llama-family options need the llama style");
        RopeScaling.Validate();
        if (KvHeads < 1
            || Heads % KvHeads != 0) throw LoomUsageException.ForOption(nameof(KvHeads),
                $"{KvHeads} must be at least 1 and divide Heads {Heads}");
        if (Style == TransformerStyle.Gpt2
            && KvHeads != Heads) throw LoomUsageException.ForOption(nameof(KvHeads), "grouped-query attention needs the llama style");
        if (Style == TransformerStyle.Llama
            && HeadDim % 2 != 0) throw new LoomUsageException($"llama: rotary embeddings need an even head width, got {HeadDim}");
        if (Dropout is < 0 or >= 1) throw LoomUsageException.ForOption(nameof(Dropout), $"must be in [0, 1), got {Dropout}");
    }

    public JsonObject ToJson() => new()
    {
        ["style"] = Style.ToString().ToLowerInvariant(),
        ["vocab_size"] = VocabSize,
        ["context_length"] = ContextLength,
        ["layers"] = Layers,
        ["heads"] = Heads,
        ["kv_heads"] = KvHeads,
        ["width"] = Width,
        ["ffn_width"] = MlpWidth,
        ["dropout"] = Dropout,
        ["norm_eps"] = NormEps,
        ["rope_theta"] = RopeTheta,
        ["bias"] = Bias,
        ["tie_embeddings"] = TieEmbeddings,
        ["exact_gelu"] = ExactGelu,
        ["head_dim"] = HeadWidth,
        ["qkv_bias"] = QkvBias,
        ["qk_norm"] = QkNorm,
        ["norm_weight_plus_one"] = NormWeightPlusOne,
        ["scale_embeddings"] = ScaleEmbeddings,
        ["mlp_activation"] = MlpActivation.ToString().ToLowerInvariant(),
        ["fused_projections"] = FusedProjections,
        ["sliding_window"] = SlidingWindow,
        ["rope_scaling"] = RopeScaling.ToJson(),
    };

    /// <summary>
    /// Reads a saved config strictly (<see cref="ConfigValues"/>): every value typed and in range, so an edited file is
    /// refused before a network is built from it.
    /// </summary>
    public static TransformerConfig FromJson(JsonObject json)
    {
        var v = new ConfigValues(json, "transformer config");
        var style = v.String("style") switch
        {
            "gpt2" => TransformerStyle.Gpt2,
            "llama" => TransformerStyle.Llama,
            var s => throw new LoomDataException($"transformer config: unknown style '{s}'"),
        };
        var config = new TransformerConfig
        {
            Style = style, VocabSize = v.Int("vocab_size", 1, 1 << 24), ContextLength = v.Int("context_length", 1, 1 << 20),
            Layers = v.Int("layers", 1, 1024), Heads = v.Int("heads", 1, 1024), KvHeads = v.Int("kv_heads", 1, 1024),
            Width = v.Int("width", 1, 1 << 16), FfnWidth = v.Int("ffn_width", 1, 1 << 18),
            Dropout = v.Double("dropout", 0, 1), NormEps = v.Double("norm_eps", double.Epsilon, 1),
            RopeTheta = v.Double("rope_theta", double.Epsilon, double.MaxValue),
            Bias = v.Bool("bias"), TieEmbeddings = v.Bool("tie_embeddings"), ExactGelu = v.Bool("exact_gelu", false),
            HeadWidth = v.Int("head_dim", 0, 1 << 16, 0), QkvBias = v.Bool("qkv_bias", false), QkNorm = v.Bool("qk_norm", false),
            NormWeightPlusOne = v.Bool("norm_weight_plus_one", false), ScaleEmbeddings = v.Bool("scale_embeddings", false),
            MlpActivation = v.String("mlp_activation", "silu") switch
            {
                "silu" => GatedActivation.Silu,
                "gelutanh" => GatedActivation.GeluTanh,
                "gelu" => GatedActivation.Gelu,
                var s => throw new LoomDataException($"transformer config: unknown mlp_activation '{s}'"),
            },
            FusedProjections = v.Bool("fused_projections", false), SlidingWindow = v.Int("sliding_window", 0, 1 << 24, 0),
            RopeScaling = v.Has("rope_scaling") ? RopeScaling.FromJson(v.Object("rope_scaling")) : RopeScaling.None,
        };
        config.Validate();
        return config;
    }

    /// <summary>
    /// A lower bound on the weights of a network of this configuration (token embedding, GPT-2's position embedding,
    /// two MLP matrices per layer), checked against a checkpoint's weights before the network is built.
    /// </summary>
    public double MinimumParameters() =>
        (double)VocabSize * Width + (Style == TransformerStyle.Gpt2 ? (double)ContextLength * Width : 0)
        + 2.0 * Layers * Width * MlpWidth;
}
