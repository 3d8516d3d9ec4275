using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Diffusion.Distillation;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Diffusion.Samplers;

namespace Loom.Models.Diffusion;

/// <summary>
/// Everything that defines a trained diffusion model apart from its weights: the denoiser's shape, the training noise
/// schedule and target, the data's shape and range, classes, and the default sampler. Round-trips through config.json.
/// </summary>
public sealed record DiffusionConfig
{
    /// <summary>unet (images) or mlp (vectors).</summary>
    public string Network { get; init; } = "unet";
    public UNetConfig UNet { get; init; } = new();
    public MlpDenoiserConfig Mlp { get; init; } = new();
    public BetaScheduleKind Schedule { get; init; } = BetaScheduleKind.Linear;
    public int Timesteps { get; init; } = 1000;
    public double BetaStart { get; init; } = 1e-4;
    public double BetaEnd { get; init; } = 0.02;
    public PredictionType Prediction { get; init; } = PredictionType.Epsilon;
    /// <summary>Shape of one sample, e.g. [1, 28, 28] or [2].</summary>
    public long[] SampleShape { get; init; } = [1, 28, 28];
    /// <summary>Images live in [0, 1] outside the model and in [−1, 1] inside; denoised estimates are clipped to [−1, 1].</summary>
    public bool Images { get; init; } = true;
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    public string DataName { get; init; } = "";
    public SamplerOptions DefaultSampler { get; init; } = new();
    public double DefaultGuidance { get; init; } = 1.0;
    /// <summary>Vectors: the training data's range widened by 10% on each side, used to clip x̂_0 (null = no clip).</summary>
    public (double Low, double High)? VectorRange { get; init; }
    /// <summary>How the model was distilled into a few-step sampler; null for a model trained on data alone.</summary>
    public DistillationRecord? Distillation { get; init; }

    public int NumClasses => ClassNames.Count;

    public NoiseSchedule CreateSchedule() => new(Schedule, Timesteps, BetaStart, BetaEnd);

    public Denoiser CreateNetwork() => Network switch
    {
        "unet" => new UNet(UNet with { NumClasses = NumClasses }),
        "mlp" => new MlpDenoiser(Mlp with { NumClasses = NumClasses, Dimensions = (int)SampleShape[0] }),
        _ => throw new LoomDataException($"diffusion config: unknown network '{Network}' (unet, mlp)"),
    };

    public JsonObject ToJson() => new()
    {
        ["network"] = Network,
        ["unet"] = new JsonObject
        {
            ["channels"] = UNet.Channels, ["resolution"] = UNet.Resolution, ["base_channels"] = UNet.BaseChannels,
            ["multipliers"] = Ints(UNet.Multipliers), ["res_blocks"] = UNet.ResBlocksPerLevel,
            ["attention_levels"] = Ints(UNet.AttentionLevels),
            ["groups"] = UNet.Groups, ["dropout"] = UNet.Dropout,
        },
        ["mlp"] = new JsonObject { ["width"] = Mlp.Width, ["layers"] = Mlp.Layers },
        ["schedule"] = NoiseSchedule.Name(Schedule),
        ["timesteps"] = Timesteps,
        ["beta_start"] = BetaStart,
        ["beta_end"] = BetaEnd,
        ["prediction"] = Predictions.Name(Prediction),
        ["sample_shape"] = new JsonArray(SampleShape.Select(s => (JsonNode)s).ToArray()),
        ["images"] = Images,
        ["class_names"] = new JsonArray(ClassNames.Select(c => (JsonNode)c).ToArray()),
        ["data"] = DataName,
        ["sampler"] = new JsonObject
        {
            ["name"] = DefaultSampler.Sampler, ["steps"] = DefaultSampler.Steps,
            ["spacing"] = DefaultSampler.Spacing.ToString().ToLowerInvariant(),
            ["karras_sigmas"] = DefaultSampler.KarrasSigmas, ["eta"] = DefaultSampler.Eta,
        },
        ["guidance"] = DefaultGuidance,
        ["vector_range"] = VectorRange is { } r ? new JsonArray(r.Low, r.High) : null,
        ["distillation"] = Distillation?.ToJson(),
    };

    public static DiffusionConfig FromJson(JsonObject json)
    {
        try
        {
            var unet = json["unet"]!.AsObject();
            var mlp = json["mlp"]!.AsObject();
            var sampler = json["sampler"]!.AsObject();
            return new DiffusionConfig
            {
                Network = json["network"]!.GetValue<string>(),
                UNet = new UNetConfig
                {
                    Channels = unet["channels"]!.GetValue<int>(), Resolution = unet["resolution"]!.GetValue<int>(),
                    BaseChannels = unet["base_channels"]!.GetValue<int>(), Multipliers = ReadInts(unet["multipliers"]!),
                    ResBlocksPerLevel = unet["res_blocks"]!.GetValue<int>(), AttentionLevels = ReadInts(unet["attention_levels"]!),
                    Groups = unet["groups"]!.GetValue<int>(), Dropout = unet["dropout"]!.GetValue<double>(),
                },
                Mlp = new MlpDenoiserConfig { Width = mlp["width"]!.GetValue<int>(), Layers = mlp["layers"]!.GetValue<int>() },
                Schedule = NoiseSchedule.ParseKind(json["schedule"]!.GetValue<string>()),
                Timesteps = json["timesteps"]!.GetValue<int>(),
                BetaStart = json["beta_start"]!.GetValue<double>(),
                BetaEnd = json["beta_end"]!.GetValue<double>(),
                Prediction = Predictions.Parse(json["prediction"]!.GetValue<string>()),
                SampleShape = json["sample_shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray(),
                Images = json["images"]!.GetValue<bool>(),
                ClassNames = json["class_names"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray(),
                DataName = json["data"]?.GetValue<string>() ?? "",
                DefaultSampler = new SamplerOptions
                {
                    Sampler = sampler["name"]!.GetValue<string>(), Steps = sampler["steps"]!.GetValue<int>(),
                    Spacing = SamplingPlan.ParseSpacing(sampler["spacing"]!.GetValue<string>()),
                    KarrasSigmas = sampler["karras_sigmas"]!.GetValue<bool>(), Eta = sampler["eta"]!.GetValue<double>(),
                },
                DefaultGuidance = json["guidance"]?.GetValue<double>() ?? 1.0,
                VectorRange = json["vector_range"] is JsonArray r ? (r[0]!.GetValue<double>(), r[1]!.GetValue<double>()) : null,
                Distillation = DistillationRecord.FromJson(json["distillation"]),
            };
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new LoomDataException($"diffusion config.json is incomplete or malformed: {e.Message}");
        }
    }

    private static JsonArray Ints(int[] values) => new(values.Select(v => (JsonNode)v).ToArray());
    private static int[] ReadInts(JsonNode node) => node.AsArray().Select(n => n!.GetValue<int>()).ToArray();
}
