using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Transformer;

/// <summary>
/// Reads an HF <c>config.json</c> of a supported causal LM into a <see cref="TransformerConfig"/>. The architecture is
/// <c>architectures[0]</c> (or, when that list is absent, the one <c>model_type</c> names); a JSON null reads as an
/// absent key, as HF's config classes treat it.
/// </summary>
public static class HfTransformerConfig
{
    /// <summary>The HF architectures Loom loads, each with the <c>model_type</c> its config.json carries.</summary>
    public static IReadOnlyList<(string Architecture, string ModelType)> Supported { get; } =
    [
        ("GPT2LMHeadModel", "gpt2"), ("LlamaForCausalLM", "llama"), ("MistralForCausalLM", "mistral"),
        ("Qwen2ForCausalLM", "qwen2"), ("Qwen3ForCausalLM", "qwen3"), ("GemmaForCausalLM", "gemma"), ("Phi3ForCausalLM", "phi3"),
    ];

    public static TransformerConfig FromFile(string path)
    {
        JsonObject json;
        try { json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new LoomDataException($"{path}: empty JSON"); }
        catch (System.Text.Json.JsonException e) { throw new LoomDataException($"{path}: not valid JSON ({e.Message})"); }
        catch (InvalidOperationException) { throw new LoomDataException($"{path}: not a JSON object"); }
        return FromJson(json, path);
    }

    public static TransformerConfig FromJson(JsonObject json, string source = "config.json")
    {
        var values = new ConfigValues(WithoutNulls(json), source);
        string architecture = Architecture(values, source);
        var config = architecture == "GPT2LMHeadModel"
            ? Gpt2(values)
            : HfLlamaFamilyConfig.Read(architecture, values, json.Select(kv => kv.Key), source);
        config.Validate();
        return config;
    }

    /// <summary><c>architectures[0]</c>, else the supported architecture of <c>model_type</c>; anything else is refused.</summary>
    private static string Architecture(ConfigValues values, string source)
    {
        string supported = string.Join(", ", Supported.Select(s => s.Architecture));
        var listed = values.Strings("architectures", []);
        if (listed.Length > 0)
            return Supported.Any(s => s.Architecture == listed[0])
                ? listed[0]
                : throw new LoomDataException($"{source}: architecture '{listed[0]}' is not supported (supported: {supported})");
        string modelType = values.String("model_type", "");
        return Supported.FirstOrDefault(s => s.ModelType == modelType).Architecture
            ?? throw new LoomDataException($"{source}: model_type '{modelType}' is not supported (supported: {supported})");
    }

    private static TransformerConfig Gpt2(ConfigValues v) => new()
    {
        Style = TransformerStyle.Gpt2,
        VocabSize = v.Int("vocab_size", 2, 1 << 24),
        ContextLength = v.Int("n_positions", 1, 1 << 24),
        Layers = v.Int("n_layer", 1, 4096),
        Heads = v.Int("n_head", 1, 1 << 16),
        KvHeads = v.Int("n_head", 1, 1 << 16),
        Width = v.Int("n_embd", 1, 1 << 20),
        FfnWidth = v.Int("n_inner", 1, 1 << 22, 0),
        NormEps = v.Double("layer_norm_epsilon", double.Epsilon, 1, 1e-5),
        Bias = true,
        ExactGelu = v.String("activation_function", "gelu_new") == "gelu",
        TieEmbeddings = v.Bool("tie_word_embeddings", true),
    };

    /// <summary>A deep copy without the null-valued keys, so that HF's explicit nulls read as "absent".</summary>
    internal static JsonObject WithoutNulls(JsonObject json)
    {
        var copy = new JsonObject();
        foreach (var (key, node) in json)
            if (node is not null)
                copy[key] = node is JsonObject nested ? WithoutNulls(nested) : node.DeepClone();
        return copy;
    }
}
