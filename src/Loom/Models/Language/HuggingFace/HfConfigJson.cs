using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Transformer;

namespace Loom.Models.Language.HuggingFace;

/// <summary>
/// The HF <c>config.json</c> of a Loom transformer, as transformers' <c>GPT2Config</c> or <c>LlamaConfig</c> names its
/// fields, so <c>AutoModelForCausalLM.from_pretrained</c> builds the same network (and Loom reads it back through
/// <see cref="HfTransformerConfig"/>).
/// </summary>
public static class HfConfigJson
{
    public static JsonObject From(TransformerConfig config, int? bosId, IReadOnlyList<int> eosIds)
    {
        if (config.Style == TransformerStyle.Llama && Unexpressible(config) is { } feature)
            throw new LoomUsageException($"export hf: the model uses {feature}, which LlamaForCausalLM cannot express; "
                + "only plain Llama and GPT-2 layouts export");
        var json = config.Style == TransformerStyle.Gpt2 ? Gpt2(config) : Llama(config);
        json["bos_token_id"] = bosId;
        json["eos_token_id"] = eosIds.Count switch
        {
            0 => null,
            1 => eosIds[0],
            _ => new JsonArray(eosIds.Select(id => (JsonNode)id).ToArray()),
        };
        json["torch_dtype"] = "float32";
        return json;
    }

    /// <summary>A Llama-family option (from an imported Qwen, Gemma, Phi-3 or Mistral model) that LlamaConfig lacks.</summary>
    private static string? Unexpressible(TransformerConfig c) =>
        c.QkvBias ? "q/k/v biases (Qwen2)"
        : c.QkNorm ? "q/k normalisation (Qwen3)"
        : c.NormWeightPlusOne || c.ScaleEmbeddings || c.MlpActivation != GatedActivation.Silu ? "Gemma's norms, scaling or GeLU"
        : c.FusedProjections ? "fused projections (Phi-3)"
        : c.SlidingWindow > 0 ? "sliding-window attention (Mistral)"
        : c.RopeScaling.Kind != RopeScalingKind.None ? "rope scaling"
        : null;

    private static JsonObject Gpt2(TransformerConfig c) => new()
    {
        ["architectures"] = new JsonArray("GPT2LMHeadModel"),
        ["model_type"] = "gpt2",
        ["vocab_size"] = c.VocabSize,
        ["n_positions"] = c.ContextLength,
        ["n_ctx"] = c.ContextLength,
        ["n_embd"] = c.Width,
        ["n_layer"] = c.Layers,
        ["n_head"] = c.Heads,
        ["n_inner"] = c.MlpWidth,
        ["activation_function"] = c.ExactGelu ? "gelu" : "gelu_new",
        ["layer_norm_epsilon"] = c.NormEps,
        ["resid_pdrop"] = 0.0,
        ["embd_pdrop"] = 0.0,
        ["attn_pdrop"] = 0.0,
        ["tie_word_embeddings"] = c.TieEmbeddings,
    };

    private static JsonObject Llama(TransformerConfig c) => new()
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["model_type"] = "llama",
        ["vocab_size"] = c.VocabSize,
        ["hidden_size"] = c.Width,
        ["intermediate_size"] = c.MlpWidth,
        ["num_hidden_layers"] = c.Layers,
        ["num_attention_heads"] = c.Heads,
        ["num_key_value_heads"] = c.KvHeads,
        ["head_dim"] = c.HeadDim,
        ["max_position_embeddings"] = c.ContextLength,
        ["rms_norm_eps"] = c.NormEps,
        ["rope_theta"] = c.RopeTheta,
        ["hidden_act"] = "silu",
        ["attention_bias"] = c.Bias,
        ["mlp_bias"] = c.Bias,
        ["attention_dropout"] = 0.0,
        ["tie_word_embeddings"] = c.TieEmbeddings,
    };
}
