using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Adapters;

/// <summary>
/// One LoRA adapter's settings, the fields of peft's <c>adapter_config.json</c> that Loom uses: rank r, α (the update
/// is scaled by α/r), dropout on the adapter's input, the target modules, and whether the wrapped weights are stored
/// [in, out] (<c>fan_in_fan_out</c>, GPT-2's Conv1D). Bias is always "none": only the low-rank matrices are trained.
/// </summary>
public sealed record LoraConfig
{
    /// <summary>The file peft and Loom write beside the adapter weights.</summary>
    public const string FileName = "adapter_config.json";

    public int Rank { get; init; } = 8;
    public double Alpha { get; init; } = 16;
    public double Dropout { get; init; }
    /// <summary>Null: the style's default (GPT-2 <c>c_attn</c>; Llama <c>q_proj, v_proj</c>, as peft picks them).</summary>
    public LoraTargets? TargetModules { get; init; }
    /// <summary>Whether the target weights are stored [in, out] (GPT-2's Conv1D); set when the adapter is attached.</summary>
    public bool FanInFanOut { get; init; }
    /// <summary>What the adapter was trained on (a checkpoint folder or HF model name), as peft records it.</summary>
    public string? BaseModel { get; init; }
    /// <summary>Loom's kind of the adapted model (<c>gpt</c>, <c>diffusion</c>), saved as <c>loom_model_kind</c>; null: unknown.</summary>
    public string? ModelKind { get; init; }

    /// <summary>peft's task type: a causal language model's, none for the diffusion U-Net (peft has no task for it).</summary>
    public string? TaskType => ModelKind == Diffusion.DiffusionModel.KindName ? null : "CAUSAL_LM";

    /// <summary>α / r, the factor on B·A.</summary>
    public double Scale => Alpha / Rank;

    /// <summary>Checks the settings; errors name the fine-tuning recipe's options (LoraRank, LoraAlpha, LoraDropout).</summary>
    public void Validate()
    {
        if (Rank < 1) throw LoomUsageException.ForOption("LoraRank", $"must be at least 1, got {Rank}");
        if (!(Alpha > 0) || !double.IsFinite(Alpha)) throw LoomUsageException.ForOption("LoraAlpha", $"must be positive, got {Alpha}");
        if (!(Dropout >= 0 && Dropout < 1)) throw LoomUsageException.ForOption("LoraDropout", $"must be in [0, 1), got {Dropout}");
    }

    /// <summary>peft's <c>adapter_config.json</c>, with Loom's model kind beside peft's fields.</summary>
    public JsonObject ToJson() => new()
    {
        ["peft_type"] = "LORA",
        ["task_type"] = TaskType,
        ["base_model_name_or_path"] = BaseModel,
        ["r"] = Rank,
        ["lora_alpha"] = Alpha,
        ["lora_dropout"] = Dropout,
        ["target_modules"] = (TargetModules ?? throw new InvalidOperationException("resolve the target modules first")).ToJson(),
        ["fan_in_fan_out"] = FanInFanOut,
        ["bias"] = "none",
        ["modules_to_save"] = null,
        ["init_lora_weights"] = true,
        ["use_rslora"] = false,
        ["use_dora"] = false,
        ["inference_mode"] = true,
        ["loom_model_kind"] = ModelKind,
    };

    /// <summary>
    /// Reads peft's <c>adapter_config.json</c>; refuses adapters Loom cannot apply (not LoRA, trained biases, rsLoRA, DoRA).
    /// </summary>
    public static LoraConfig FromJson(JsonObject json, string source)
    {
        var values = new ConfigValues(json, source);
        string type = values.String("peft_type", "LORA");
        if (type != "LORA")
            throw new LoomDataException($"{source}: peft_type is '{type}'; Loom applies LORA adapters only");
        if (values.String("bias", "none") != "none")
            throw new LoomDataException($"{source}: bias '{values.String("bias")}' is not supported; Loom's adapters train no biases");
        if (values.Bool("use_rslora", false) || values.Bool("use_dora", false))
            throw new LoomDataException($"{source}: rsLoRA and DoRA adapters are not supported");
        if (json["modules_to_save"] is JsonArray { Count: > 0 })
            throw new LoomDataException($"{source}: modules_to_save is not supported");
        var config = new LoraConfig
        {
            Rank = values.Int("r", 1, 1 << 16),
            Alpha = values.Double("lora_alpha", double.Epsilon, double.MaxValue),
            Dropout = values.Double("lora_dropout", 0, 0.999999, 0),
            TargetModules = LoraTargets.FromJson(json["target_modules"], source),
            FanInFanOut = values.Bool("fan_in_fan_out", false),
            BaseModel = OptionalString(json, "base_model_name_or_path"),
            ModelKind = OptionalString(json, "loom_model_kind"),
        };
        return config;
    }

    private static string? OptionalString(JsonObject json, string name) =>
        json[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
