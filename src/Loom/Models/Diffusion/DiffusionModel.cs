using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Diffusion.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>
/// A trained denoising diffusion model: its config, the denoiser (EMA weights when trained with EMA) and the noise
/// schedule. <see cref="Generate"/> runs any sampler with guidance, image-to-image and inpainting; the generic
/// <see cref="Sample(SampleRequest)"/> uses the config's default sampler.
/// </summary>
public sealed class DiffusionModel : IGenerativeModel, IConditionalModel, IProgressiveSampler, IDiffusionGenerator, IImageGenerator
{
    public const string KindName = "diffusion";

    public DiffusionModel(DiffusionConfig config, Denoiser network)
    {
        Config = config;
        Network = network;
        Schedule = config.CreateSchedule();
        Pipeline = new DiffusionPipeline(network, Schedule, config.Prediction, config.SampleShape, config.Images)
        {
            ClipRange = config.Images ? (-1, 1) : config.VectorRange,
        };
    }

    public DiffusionConfig Config { get; }
    public Denoiser Network { get; }
    public NoiseSchedule Schedule { get; }
    public DiffusionPipeline Pipeline { get; }
    public string Kind => KindName;

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState() =>
        Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    /// <summary>Samples in data space (images in [0, 1]) on the CPU.</summary>
    public Tensor Generate(DiffusionRequest request)
    {
        using var scope = torch.NewDisposeScope();
        var x = Pipeline.Generate(request);
        return Pipeline.ToDataSpace(x).cpu().MoveToOuterDisposeScope();
    }

    public int NumClasses => Config.NumClasses;

    public IReadOnlyList<string> ClassNames => Config.ClassNames;

    public ImageShape? ImageShape => ImageShape.Of(Config.SampleShape, Config.Images);

    public SampleSet Sample(SampleRequest request) => Sample(request, null, CancellationToken.None);

    /// <summary>
    /// Samples with the model's default sampler, or with the sampler, guidance, image, mask and noise of a
    /// <see cref="DiffusionRequest"/> among the request's options (its count and seed come from the request). Labels:
    /// the option's when it names them; else <see cref="SampleRequest.Class"/> for every sample; else, with no option, a
    /// class-conditional model spreads the samples over its classes (with its default guidance) and an option without
    /// labels samples unconditionally. Progress is reported per denoising step.
    /// </summary>
    public SampleSet Sample(SampleRequest request, IProgress<SampleProgress>? progress, CancellationToken cancellation)
    {
        if (request.Temperature != 1.0)
            throw new LoomUsageException(
                $"temperature: a diffusion model has none (got {request.Temperature}); set its sampler's options instead");
        var template = request.Get<DiffusionRequest>();
        IReadOnlyList<int>? labels = template?.Labels
            ?? (request.Class is { } c ? Enumerable.Repeat(c, request.Count).ToArray()
                : template is null && NumClasses > 0 ? Enumerable.Range(0, request.Count).Select(i => i % NumClasses).ToArray() : null);
        var diffusion = (template ?? new DiffusionRequest
        {
            Sampler = Config.DefaultSampler, Guidance = labels is null ? 1.0 : Config.DefaultGuidance,
        }) with
        {
            Count = request.Count,
            Seed = request.Seed,
            Labels = labels,
            Progress = progress is null ? template?.Progress : (done, total) =>
                progress.Report(new SampleProgress(done, total, "denoising step")),
            Cancellation = cancellation.CanBeCanceled ? cancellation : template?.Cancellation ?? CancellationToken.None,
        };
        if (labels is not null && (NumClasses == 0 || labels.Any(l => l < 0 || l >= NumClasses)))
            throw new LoomUsageException(NumClasses == 0
                ? "class: this diffusion model was trained without classes"
                : $"class: must be from 0 to {NumClasses - 1} ({string.Join(", ", ClassNames)})");
        var values = Generate(diffusion);
        var labelTensor = labels is null ? null : torch.tensor(labels.Select(l => (long)l).ToArray());
        return new TensorSamples(values, labelTensor) { ClassNames = labels is null ? null : Config.ClassNames };
    }

    public void Dispose() => Network.Dispose();
}

/// <summary>
/// Registry entry: rebuilds a <see cref="DiffusionModel"/> from config.json and model.safetensors, and trains one from a
/// <see cref="DiffusionRecipe"/> (<see cref="DiffusionTrainingRun"/>).
/// </summary>
public sealed class DiffusionFamily : IModelFamily, Training.Runs.ITrainableFamily
{
    public string Kind => DiffusionModel.KindName;

    public Type RecipeType => typeof(DiffusionRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>
    {
        ["images"] = DiffusionRecipe.ImagePreset, ["vectors"] = DiffusionRecipe.VectorPreset,
    };

    public Training.Runs.TrainingOutcome Train(JsonObject recipe, Training.Runs.TrainingContext context) =>
        DiffusionTrainingRun.Train(Training.Runs.RecipeJson.FromJson<DiffusionRecipe>(recipe, "recipe"), context);
    public string Summary =>
        "Denoising diffusion model (U-Net or MLP denoiser; DDPM/DDIM/DPM-Solver++/Euler/Heun samplers, guidance, inpainting)";

    /// <summary>
    /// Refuses network sizes out of range and a config that describes more weights than the file holds, before the
    /// network is built (an edited width of 10^9 would otherwise allocate or hang).
    /// </summary>
    private static void RequireBuildable(DiffusionConfig config, IReadOnlyDictionary<string, Tensor> state)
    {
        double minimum;
        if (config.Network == "mlp")
        {
            if (config.Mlp.Width is < 1 or > 1 << 16 || config.Mlp.Layers is < 1 or > 1024)
                throw new LoomDataException($"config.json: mlp width {config.Mlp.Width} or layers {config.Mlp.Layers} out of range");
            minimum = (double)config.Mlp.Width * config.Mlp.Width * config.Mlp.Layers;
        }
        else
        {
            var unet = config.UNet;
            if (unet.BaseChannels is < 1 or > 1 << 12 || unet.Channels is < 1 or > 1 << 10 || unet.ResBlocksPerLevel is < 0 or > 64
                || unet.Multipliers.Length is < 1 or > 16 || unet.Multipliers.Any(m => m is < 1 or > 64))
                throw new LoomDataException("config.json: unet base_channels, channels, res_blocks or multipliers out of range");
            minimum = 9.0 * unet.Channels * unet.BaseChannels + 9.0 * unet.BaseChannels * unet.BaseChannels * unet.Multipliers.Length;
        }
        IO.Checkpoints.ConfigValues.RequireStateHolds(minimum, state);
    }

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var parsed = DiffusionConfig.FromJson(config);
        RequireBuildable(parsed, state);
        var network = parsed.CreateNetwork();
        try
        {
            ModuleParameters.CopyFrom(network, state, "model.safetensors");
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.to(device);
        network.eval();
        return new DiffusionModel(parsed, network);
    }
}
