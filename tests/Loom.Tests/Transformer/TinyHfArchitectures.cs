using System.Text.Json.Nodes;
using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Transformer;

/// <summary>
/// Tiny config.json files, one per supported Llama-family architecture, read through <see cref="HfTransformerConfig"/>
/// as a user's file would be: width 16, 4 query heads over 2 key/value heads, 2 layers, vocabulary 32.
/// </summary>
internal static class TinyHfArchitectures
{
    public static TheoryData<string> Names => new()
    {
        "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "GemmaForCausalLM", "Phi3ForCausalLM",
    };

    private const string Common = """
        "hidden_size": 16, "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 24,
        "num_hidden_layers": 2, "vocab_size": 32, "max_position_embeddings": 64, "rms_norm_eps": 1e-6
        """;

    public static string Json(string architecture) => $"{{ \"architectures\": [\"{architecture}\"], {Common}, " + architecture switch
    {
        "LlamaForCausalLM" =>
            """ "tie_word_embeddings": false, "rope_scaling": { "rope_type": "linear", "factor": 2.0 }, "rope_theta": 10000 }""",
        "MistralForCausalLM" => """ "sliding_window": 3 }""",
        "Qwen2ForCausalLM" => """ "tie_word_embeddings": true, "use_sliding_window": false, "sliding_window": 32 }""",
        "Qwen3ForCausalLM" => """ "head_dim": 8, "tie_word_embeddings": true, "sliding_window": null }""",
        "GemmaForCausalLM" => """ "head_dim": 8, "hidden_act": "gelu", "hidden_activation": "gelu_pytorch_tanh" }""",
        "Phi3ForCausalLM" => """ "sliding_window": 5, "tie_word_embeddings": false }""",
        _ => throw new ArgumentException(architecture),
    };

    public static TransformerConfig Config(string architecture, int layers = 2)
    {
        var json = JsonNode.Parse(Json(architecture))!.AsObject();
        json["num_hidden_layers"] = layers;
        return HfTransformerConfig.FromJson(json, architecture);
    }

    /// <summary>A model whose every parameter, norms included, is random (so a misplaced norm or bias shows).</summary>
    public static DecoderTransformer RandomModel(TransformerConfig config, long seed = 5)
    {
        var model = new DecoderTransformer(config, seed);
        using var noGrad = torch.no_grad();
        using var generator = new Generator((ulong)seed);
        foreach (var (_, p) in model.named_parameters())
            p.copy_(torch.randn(p.shape, generator: generator) * 0.5);
        model.eval();
        return model;
    }
}
