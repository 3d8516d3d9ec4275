using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Transformer;

/// <summary>
/// Reads the config.json of a Llama-family architecture into the Llama style: the shared keys (hidden_size,
/// num_attention_heads, …), then what each architecture adds — Mistral's sliding window, Qwen2's q/k/v biases, Qwen3's
/// q/k norms, Gemma's (1 + w) norms, scaled embeddings and GeGLU, Phi-3's fused projections.
/// </summary>
internal static class HfLlamaFamilyConfig
{
    /// <param name="architecture">A supported Llama-family name, e.g. <c>MistralForCausalLM</c>.</param>
    /// <param name="v">The config with its nulls removed.</param>
    /// <param name="keys">The keys present in the file, nulls included (Mistral's <c>"sliding_window": null</c> means no
    /// window, an absent one HF's default of 4096).</param>
    /// <param name="source">The file, for messages.</param>
    public static TransformerConfig Read(string architecture, ConfigValues v, IEnumerable<string> keys, string source)
    {
        int heads = v.Int("num_attention_heads", 1, 1 << 16), width = v.Int("hidden_size", 1, 1 << 20);
        var (theta, scaling, context) = HfRopeParameters.Read(v, source);
        bool attentionBias = v.Bool("attention_bias", false);
        var config = new TransformerConfig
        {
            Style = TransformerStyle.Llama,
            VocabSize = v.Int("vocab_size", 2, 1 << 24),
            ContextLength = context,
            Layers = v.Int("num_hidden_layers", 1, 4096),
            Heads = heads,
            KvHeads = v.Int("num_key_value_heads", 1, 1 << 16, heads),
            Width = width,
            HeadWidth = HeadWidth(v, width, heads),
            FfnWidth = v.Int("intermediate_size", 1, 1 << 22),
            NormEps = v.Double("rms_norm_eps", double.Epsilon, 1, architecture == "Phi3ForCausalLM" ? 1e-5 : 1e-6),
            RopeTheta = theta,
            RopeScaling = scaling,
            Bias = attentionBias,
            TieEmbeddings = v.Bool("tie_word_embeddings", architecture == "GemmaForCausalLM"),
            MlpActivation = Activation(v.String("hidden_act", "silu"), source),
        };
        if (attentionBias && (architecture != "LlamaForCausalLM" || !v.Bool("mlp_bias", false)))
            throw new LoomDataException($"{source}: attention_bias without mlp_bias is not supported for {architecture}");
        return architecture switch
        {
            "LlamaForCausalLM" => config,
            "MistralForCausalLM" => config with
            {
                SlidingWindow = v.Int("sliding_window", 1, 1 << 24, keys.Contains("sliding_window") ? 0 : 4096),
            },
            "Qwen2ForCausalLM" => config with { QkvBias = true, SlidingWindow = QwenWindow(v, source) },
            "Qwen3ForCausalLM" => config with { QkNorm = true, SlidingWindow = QwenWindow(v, source) },
            "GemmaForCausalLM" => config with
            {
                NormWeightPlusOne = true,
                ScaleEmbeddings = true,
                MlpActivation = Activation(v.String("hidden_activation", "gelu_pytorch_tanh"), source),
            },
            "Phi3ForCausalLM" => Phi3(config, v, source),
            _ => throw new LoomDataException($"{source}: architecture '{architecture}' is not a Llama-family one"),
        };
    }

    /// <summary>head_dim when it differs from hidden_size / heads (Qwen3, Gemma), else 0 (the default rule).</summary>
    private static int HeadWidth(ConfigValues v, int width, int heads)
    {
        int headDim = v.Int("head_dim", 1, 1 << 16, 0);
        return headDim == 0 || (width % heads == 0 && headDim == width / heads) ? 0 : headDim;
    }

    /// <summary>
    /// Qwen's window applies only with use_sliding_window, and then to the layers from max_window_layers on: refused, as
    /// no released Qwen2/Qwen3 checkpoint turns it on.
    /// </summary>
    private static int QwenWindow(ConfigValues v, string source) => v.Bool("use_sliding_window", false)
        ? throw new LoomDataException($"{source}: use_sliding_window (per-layer windows) is not supported")
        : 0;

    private static TransformerConfig Phi3(TransformerConfig config, ConfigValues v, string source)
    {
        double partial = v.Double("partial_rotary_factor", 0, 1, 1);
        if (partial != 1)
            throw new LoomDataException($"{source}: partial_rotary_factor {partial} is not supported (only 1)");
        return config with { FusedProjections = true, SlidingWindow = v.Int("sliding_window", 1, 1 << 24, 0) };
    }

    /// <summary>HF's ACT2FN names of the activations the gated MLP supports.</summary>
    private static GatedActivation Activation(string name, string source) => name switch
    {
        "silu" or "swish" => GatedActivation.Silu,
        "gelu_pytorch_tanh" or "gelu_new" or "gelu_fast" => GatedActivation.GeluTanh,
        "gelu" => GatedActivation.Gelu,
        _ => throw new LoomDataException($"{source}: activation '{name}' is not supported (silu, gelu, gelu_pytorch_tanh)"),
    };
}
