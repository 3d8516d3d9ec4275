using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Models.Transformer;

/// <summary>Reads an HF <c>config.json</c> of a GPT-2 or Llama causal LM into a <see cref="TransformerConfig"/>.</summary>
public static class HfTransformerConfig
{
    public static TransformerConfig FromFile(string path)
    {
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new LoomDataException($"{path}: empty JSON"); }
        catch (System.Text.Json.JsonException e) { throw new LoomDataException($"{path}: not valid JSON ({e.Message})"); }
        return FromJson(json, path);
    }

    public static TransformerConfig FromJson(JsonObject json, string source = "config.json")
    {
        T Get<T>(string key, T fallback) => json[key] is JsonValue v ? v.GetValue<T>() : fallback;
        int Required(string key) =>
            json[key] is JsonValue v ? v.GetValue<int>() : throw new LoomDataException($"{source}: missing '{key}'");
        var type = Get<string>("model_type", "");
        var config = type switch
        {
            "gpt2" => new TransformerConfig
            {
                Style = TransformerStyle.Gpt2,
                VocabSize = Required("vocab_size"),
                ContextLength = Required("n_positions"),
                Layers = Required("n_layer"),
                Heads = Required("n_head"),
                KvHeads = Required("n_head"),
                Width = Required("n_embd"),
                FfnWidth = json["n_inner"] is JsonValue inner ? inner.GetValue<int>() : 0,
                NormEps = Get("layer_norm_epsilon", 1e-5),
                Bias = true,
                ExactGelu = Get("activation_function", "gelu_new") == "gelu",
                TieEmbeddings = Get("tie_word_embeddings", true),
            },
            "llama" => new TransformerConfig
            {
                Style = TransformerStyle.Llama,
                VocabSize = Required("vocab_size"),
                ContextLength = Required("max_position_embeddings"),
                Layers = Required("num_hidden_layers"),
                Heads = Required("num_attention_heads"),
                KvHeads = json["num_key_value_heads"] is JsonValue kv ? kv.GetValue<int>() : Required("num_attention_heads"),
                Width = Required("hidden_size"),
                FfnWidth = Required("intermediate_size"),
                NormEps = Get("rms_norm_eps", 1e-6),
                RopeTheta = json["rope_parameters"]?["rope_theta"] is JsonValue theta
                    ? theta.GetValue<double>() : Get("rope_theta", 10000.0),
                Bias = Get("attention_bias", false),
                TieEmbeddings = Get("tie_word_embeddings", false),
            },
            _ => throw new LoomDataException($"{source}: model_type '{type}' is not supported (gpt2 or llama)"),
        };
        if (type == "llama" && json["head_dim"] is JsonValue headDim && headDim.GetValue<int>() != config.HeadDim)
            throw new LoomDataException(
                $"{source}: head_dim {headDim} differs from hidden_size / num_attention_heads = {config.HeadDim}; not supported");
        config.Validate();
        return config;
    }
}
