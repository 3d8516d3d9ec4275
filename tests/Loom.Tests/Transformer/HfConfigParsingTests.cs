using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Transformer;

namespace Loom.Tests.Transformer;

/// <summary>
/// config.json files as the HF hub publishes them (trimmed of keys Loom does not read) parse into the intended
/// <see cref="TransformerConfig"/>, round-trip through Loom's own checkpoint JSON, and unsupported ones are refused in one line.
/// </summary>
public sealed class HfConfigParsingTests
{
    private static TransformerConfig Parse(string json) => HfTransformerConfig.FromJson(JsonNode.Parse(json)!.AsObject());

    private const string Llama31Classic = """
        { "architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 128000,
          "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 14336,
          "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama", "num_attention_heads": 32,
          "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
          "rope_scaling": { "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                            "original_max_position_embeddings": 8192, "rope_type": "llama3" },
          "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "vocab_size": 128256 }
        """;

    private const string Llama31Transformers5 = """
        { "architectures": ["LlamaForCausalLM"], "attention_bias": false, "hidden_act": "silu", "hidden_size": 4096,
          "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
          "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
          "rope_parameters": { "rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0,
                               "high_freq_factor": 4.0, "original_max_position_embeddings": 8192 },
          "tie_word_embeddings": false, "dtype": "bfloat16", "vocab_size": 128256 }
        """;

    [Fact]
    public void Llama31_8b_reads_llama3_scaling_in_both_spellings()
    {
        var expected = new TransformerConfig
        {
            Style = TransformerStyle.Llama, VocabSize = 128256, ContextLength = 131072, Layers = 32, Heads = 32, KvHeads = 8,
            Width = 4096, FfnWidth = 14336, NormEps = 1e-5, RopeTheta = 500000, Bias = false, TieEmbeddings = false,
            RopeScaling = new RopeScaling
            {
                Kind = RopeScalingKind.Llama3, Factor = 8, LowFrequencyFactor = 1, HighFrequencyFactor = 4, OriginalContext = 8192,
            },
        };
        Assert.Equal(expected, Parse(Llama31Classic));
        Assert.Equal(expected, Parse(Llama31Transformers5));
        Assert.Equal(128, expected.HeadDim);
    }

    [Fact]
    public void Llama2_with_linear_or_dynamic_scaling()
    {
        const string llama2 = """
            { "architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 11008,
              "max_position_embeddings": 4096, "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32,
              "num_key_value_heads": 32, "rms_norm_eps": 1e-05, "rope_scaling": %SCALING%, "tie_word_embeddings": false,
              "vocab_size": 32000 }
            """;
        var plain = Parse(llama2.Replace("%SCALING%", "null"));
        Assert.Equal(RopeScaling.None, plain.RopeScaling);
        Assert.Equal(10000, plain.RopeTheta);
        Assert.Equal(4096, plain.ContextLength);
        var linear = Parse(llama2.Replace("%SCALING%", """{ "type": "linear", "factor": 2.0 }"""));
        Assert.Equal(new RopeScaling { Kind = RopeScalingKind.Linear, Factor = 2 }, linear.RopeScaling);
        var dynamic = Parse(llama2.Replace("%SCALING%", """{ "type": "dynamic", "factor": 2.0 }"""));
        Assert.Equal(new RopeScaling { Kind = RopeScalingKind.Dynamic, Factor = 2, OriginalContext = 4096 }, dynamic.RopeScaling);
        Assert.Equal(8192, dynamic.ContextLength);   // dynamic NTK is for sequences past the original 4096
    }

    [Fact]
    public void Mistral_7b_has_its_sliding_window_and_v03_has_none()
    {
        const string mistral = """
            { "architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
              "hidden_size": 4096, "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral",
              "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
              "rope_theta": %THETA%, "sliding_window": %WINDOW%, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
              "vocab_size": %VOCAB% }
            """;
        var v01 = Parse(mistral.Replace("%THETA%", "10000.0").Replace("%WINDOW%", "4096").Replace("%VOCAB%", "32000"));
        Assert.Equal(new TransformerConfig
        {
            Style = TransformerStyle.Llama, VocabSize = 32000, ContextLength = 32768, Layers = 32, Heads = 32, KvHeads = 8,
            Width = 4096, FfnWidth = 14336, NormEps = 1e-5, RopeTheta = 10000, Bias = false, TieEmbeddings = false, SlidingWindow = 4096,
        }, v01);
        var v03 = Parse(mistral.Replace("%THETA%", "1000000.0").Replace("%WINDOW%", "null").Replace("%VOCAB%", "32768"));
        Assert.Equal(0, v03.SlidingWindow);
        Assert.Equal(1000000, v03.RopeTheta);
    }

    [Fact]
    public void Qwen25_half_b_has_qkv_biases_and_tied_embeddings()
    {
        var config = Parse("""
            { "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151643,
              "hidden_act": "silu", "hidden_size": 896, "intermediate_size": 4864, "max_position_embeddings": 32768,
              "max_window_layers": 24, "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24,
              "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768,
              "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_cache": true, "use_sliding_window": false,
              "vocab_size": 151936 }
            """);
        Assert.Equal(new TransformerConfig
        {
            Style = TransformerStyle.Llama, VocabSize = 151936, ContextLength = 32768, Layers = 24, Heads = 14, KvHeads = 2,
            Width = 896, FfnWidth = 4864, NormEps = 1e-6, RopeTheta = 1000000, Bias = false, QkvBias = true, TieEmbeddings = true,
        }, config);
        Assert.Equal(64, config.HeadDim);
    }

    [Fact]
    public void Qwen3_06b_reads_explicit_head_dim_and_qk_norm()
    {
        var config = Parse("""
            { "architectures": ["Qwen3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 151643,
              "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu", "hidden_size": 1024, "intermediate_size": 3072,
              "max_position_embeddings": 40960, "max_window_layers": 28, "model_type": "qwen3", "num_attention_heads": 16,
              "num_hidden_layers": 28, "num_key_value_heads": 8, "rms_norm_eps": 1e-06, "rope_scaling": null,
              "rope_theta": 1000000, "sliding_window": null, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
              "use_sliding_window": false, "vocab_size": 151936 }
            """);
        Assert.Equal(new TransformerConfig
        {
            Style = TransformerStyle.Llama, VocabSize = 151936, ContextLength = 40960, Layers = 28, Heads = 16, KvHeads = 8,
            Width = 1024, HeadWidth = 128, FfnWidth = 3072, NormEps = 1e-6, RopeTheta = 1000000, Bias = false, QkNorm = true,
            TieEmbeddings = true,
        }, config);
    }

    [Fact]
    public void Gemma_2b_and_7b_read_geglu_unit_offset_norms_and_scaled_embeddings()
    {
        const string gemma = """
            { "architectures": ["GemmaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 2,
              "eos_token_id": 1, "head_dim": 256, "hidden_act": "gelu", "hidden_activation": "gelu_pytorch_tanh",
              "hidden_size": %WIDTH%, "intermediate_size": %FFN%, "max_position_embeddings": 8192, "model_type": "gemma",
              "num_attention_heads": %HEADS%, "num_hidden_layers": %LAYERS%, "num_key_value_heads": %KV%, "pad_token_id": 0,
              "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 10000.0, "torch_dtype": "bfloat16", "vocab_size": 256000 }
            """;
        var gemma2b = Parse(gemma.Replace("%WIDTH%", "2048").Replace("%FFN%", "16384").Replace("%HEADS%", "8")
            .Replace("%LAYERS%", "18").Replace("%KV%", "1"));
        Assert.Equal(new TransformerConfig
        {
            Style = TransformerStyle.Llama, VocabSize = 256000, ContextLength = 8192, Layers = 18, Heads = 8, KvHeads = 1,
            Width = 2048, FfnWidth = 16384, NormEps = 1e-6, RopeTheta = 10000, Bias = false, TieEmbeddings = true,
            NormWeightPlusOne = true, ScaleEmbeddings = true, MlpActivation = GatedActivation.GeluTanh,
        }, gemma2b);
        Assert.Equal(256, gemma2b.HeadDim);
        var gemma7b = Parse(gemma.Replace("%WIDTH%", "3072").Replace("%FFN%", "24576").Replace("%HEADS%", "16")
            .Replace("%LAYERS%", "28").Replace("%KV%", "16"));
        Assert.Equal(256, gemma7b.HeadDim);   // not 3072 / 16 = 192
        var withoutHiddenActivation = Parse(gemma.Replace("\"hidden_activation\": \"gelu_pytorch_tanh\",", "")
            .Replace("%WIDTH%", "2048").Replace("%FFN%", "16384").Replace("%HEADS%", "8").Replace("%LAYERS%", "18").Replace("%KV%", "1"));
        Assert.Equal(GatedActivation.GeluTanh, withoutHiddenActivation.MlpActivation);   // HF's fallback for old Gemma configs
    }

    [Fact]
    public void Phi3_mini_4k_reads_fused_projections_and_its_window()
    {
        var config = Parse("""
            { "architectures": ["Phi3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 1,
              "embd_pdrop": 0.0, "eos_token_id": 32000, "hidden_act": "silu", "hidden_size": 3072, "initializer_range": 0.02,
              "intermediate_size": 8192, "max_position_embeddings": 4096, "model_type": "phi3", "num_attention_heads": 32,
              "num_hidden_layers": 32, "num_key_value_heads": 32, "original_max_position_embeddings": 4096, "pad_token_id": 32000,
              "resid_pdrop": 0.0, "rms_norm_eps": 1e-05, "rope_scaling": null, "rope_theta": 10000.0, "sliding_window": 2047,
              "tie_word_embeddings": false, "torch_dtype": "bfloat16", "use_cache": true, "vocab_size": 32064 }
            """);
        Assert.Equal(new TransformerConfig
        {
            Style = TransformerStyle.Llama, VocabSize = 32064, ContextLength = 4096, Layers = 32, Heads = 32, KvHeads = 32,
            Width = 3072, FfnWidth = 8192, NormEps = 1e-5, RopeTheta = 10000, Bias = false, TieEmbeddings = false,
            FusedProjections = true, SlidingWindow = 2047,
        }, config);
    }

    [Fact]
    public void Model_type_chooses_when_architectures_is_absent()
    {
        var json = JsonNode.Parse(TinyHfArchitectures.Json("Qwen3ForCausalLM"))!.AsObject();
        json.Remove("architectures");
        json["model_type"] = "qwen3";
        Assert.True(HfTransformerConfig.FromJson(json).QkNorm);
    }

    [Fact]
    public void Unknown_architecture_is_refused_in_one_line()
    {
        var e = Assert.Throws<LoomDataException>(() => Parse("""
            { "architectures": ["FalconForCausalLM"], "model_type": "falcon", "hidden_size": 4544 }
            """));
        Assert.Equal("config.json: architecture 'FalconForCausalLM' is not supported (supported: GPT2LMHeadModel, LlamaForCausalLM, "
            + "MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, GemmaForCausalLM, Phi3ForCausalLM)", e.Message);
        var byType = Assert.Throws<LoomDataException>(() => Parse("""{ "model_type": "falcon" }"""));
        Assert.StartsWith("config.json: model_type 'falcon' is not supported (supported: GPT2LMHeadModel", byType.Message);
    }

    [Theory]
    [InlineData("""{ "rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768 }""", "rope scaling 'yarn'")]
    [InlineData("""{ "type": "longrope", "long_factor": [1.0], "short_factor": [1.0] }""", "rope scaling 'longrope'")]
    public void Unsupported_rope_scaling_is_refused(string scaling, string expected)
    {
        var json = JsonNode.Parse(TinyHfArchitectures.Json("MistralForCausalLM"))!.AsObject();
        json["rope_scaling"] = JsonNode.Parse(scaling);
        var e = Assert.Throws<LoomDataException>(() => HfTransformerConfig.FromJson(json));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Theory]
    [MemberData(nameof(TinyHfArchitectures.Names), MemberType = typeof(TinyHfArchitectures))]
    public void Parsed_configs_round_trip_through_loom_json(string architecture)
    {
        var config = TinyHfArchitectures.Config(architecture);
        var json = JsonNode.Parse(config.ToJson().ToJsonString())!.AsObject();
        Assert.Equal(config, TransformerConfig.FromJson(json));
    }

    [Fact]
    public void A_config_saved_before_the_new_options_reads_as_plain_llama()
    {
        var saved = JsonNode.Parse("""
            { "style": "llama", "vocab_size": 11, "context_length": 32, "layers": 2, "heads": 4, "kv_heads": 2, "width": 16,
              "ffn_width": 64, "dropout": 0, "norm_eps": 1e-05, "rope_theta": 10000, "bias": false, "tie_embeddings": false,
              "exact_gelu": false }
            """)!.AsObject();
        Assert.Equal(TransformerConfig.Llama(11, 32, 2, 4, 2, 16) with { FfnWidth = 64 }, TransformerConfig.FromJson(saved));
    }
}
