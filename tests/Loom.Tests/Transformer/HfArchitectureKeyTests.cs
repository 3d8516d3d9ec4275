using Loom.Models.Transformer;
using TorchSharp;

namespace Loom.Tests.Transformer;

/// <summary>
/// Each architecture's state-dict keys and shapes equal the ones HF's modeling file gives the same tiny config (width
/// 16, 4 heads of width 4 or the config's head_dim 8, 2 key/value heads, MLP 24, vocabulary 32, one layer), written out
/// by hand from HF's module names.
/// </summary>
public sealed class HfArchitectureKeyTests
{
    private static readonly (string Key, long[] Shape)[] LlamaLayer =
    [
        ("model.layers.0.input_layernorm.weight", [16]),
        ("model.layers.0.self_attn.q_proj.weight", [16, 16]),
        ("model.layers.0.self_attn.k_proj.weight", [8, 16]),
        ("model.layers.0.self_attn.v_proj.weight", [8, 16]),
        ("model.layers.0.self_attn.o_proj.weight", [16, 16]),
        ("model.layers.0.post_attention_layernorm.weight", [16]),
        ("model.layers.0.mlp.gate_proj.weight", [24, 16]),
        ("model.layers.0.mlp.up_proj.weight", [24, 16]),
        ("model.layers.0.mlp.down_proj.weight", [16, 24]),
    ];

    /// <summary>Qwen3 and Gemma: head_dim 8, so q is 4 × 8 = 32 rows and k, v 2 × 8 = 16.</summary>
    private static readonly (string Key, long[] Shape)[] WideHeadLayer =
    [
        ("model.layers.0.input_layernorm.weight", [16]),
        ("model.layers.0.self_attn.q_proj.weight", [32, 16]),
        ("model.layers.0.self_attn.k_proj.weight", [16, 16]),
        ("model.layers.0.self_attn.v_proj.weight", [16, 16]),
        ("model.layers.0.self_attn.o_proj.weight", [16, 32]),
        ("model.layers.0.post_attention_layernorm.weight", [16]),
        ("model.layers.0.mlp.gate_proj.weight", [24, 16]),
        ("model.layers.0.mlp.up_proj.weight", [24, 16]),
        ("model.layers.0.mlp.down_proj.weight", [16, 24]),
    ];

    private static readonly (string Key, long[] Shape)[] Embeddings =
        [("model.embed_tokens.weight", [32, 16]), ("model.norm.weight", [16])];

    private static readonly (string Key, long[] Shape)[] UntiedHead = [("lm_head.weight", [32, 16])];

    public static IEnumerable<(string Key, long[] Shape)> Expected(string architecture) => architecture switch
    {
        "LlamaForCausalLM" or "MistralForCausalLM" => [.. Embeddings, .. LlamaLayer, .. UntiedHead],
        "Qwen2ForCausalLM" =>
        [
            .. Embeddings, .. LlamaLayer,
            ("model.layers.0.self_attn.q_proj.bias", [16]),
            ("model.layers.0.self_attn.k_proj.bias", [8]),
            ("model.layers.0.self_attn.v_proj.bias", [8]),
        ],
        "Qwen3ForCausalLM" =>
        [
            .. Embeddings, .. WideHeadLayer,
            ("model.layers.0.self_attn.q_norm.weight", [8]),
            ("model.layers.0.self_attn.k_norm.weight", [8]),
        ],
        "GemmaForCausalLM" => [.. Embeddings, .. WideHeadLayer],
        "Phi3ForCausalLM" =>
        [
            .. Embeddings, .. UntiedHead,
            ("model.layers.0.input_layernorm.weight", [16]),
            ("model.layers.0.self_attn.qkv_proj.weight", [32, 16]),   // (4 + 2 + 2) heads × 4
            ("model.layers.0.self_attn.o_proj.weight", [16, 16]),
            ("model.layers.0.post_attention_layernorm.weight", [16]),
            ("model.layers.0.mlp.gate_up_proj.weight", [48, 16]),
            ("model.layers.0.mlp.down_proj.weight", [16, 24]),
        ],
        _ => throw new ArgumentException(architecture),
    };

    [Theory]
    [MemberData(nameof(TinyHfArchitectures.Names), MemberType = typeof(TinyHfArchitectures))]
    public void Keys_and_shapes_equal_the_hf_layout(string architecture)
    {
        using var model = new DecoderTransformer(TinyHfArchitectures.Config(architecture, layers: 1));
        var actual = model.StateByKey().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key} [{string.Join(", ", kv.Value.shape)}]");
        var expected = Expected(architecture).OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}]");
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(TinyHfArchitectures.Names), MemberType = typeof(TinyHfArchitectures))]
    public void Hf_weights_by_key_load_and_the_same_keys_come_back(string architecture)
    {
        var config = TinyHfArchitectures.Config(architecture);
        using var source = TinyHfArchitectures.RandomModel(config, seed: 11);
        using var target = new DecoderTransformer(config, seed: 12);
        var weights = source.StateByKey();
        target.LoadState(weights, architecture);
        foreach (var (key, value) in target.StateByKey())
            Assert.True(value.allclose(weights[key], 0, 0), $"{architecture}: {key} did not load");
    }
}
