using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Diffusion.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>
/// A trained denoising diffusion model: its config, the denoiser (EMA weights when trained with EMA) and the noise
/// schedule. <see cref="Generate"/> runs any sampler with guidance, image-to-image and inpainting; the generic
/// <see cref="Sample"/> uses the config's default sampler.
/// </summary>
public sealed class DiffusionModel : IGenerativeModel
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

    public SampleSet Sample(SampleRequest request)
    {
        IReadOnlyList<int>? labels = request.Class is { } c ? Enumerable.Repeat(c, request.Count).ToArray() : null;
        return new TensorSamples(Generate(new DiffusionRequest
        {
            Count = request.Count, Seed = request.Seed, Sampler = Config.DefaultSampler, Labels = labels,
            Guidance = labels is null ? 1.0 : Config.DefaultGuidance,
        }));
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
    public string Summary => "Denoising diffusion model (U-Net or MLP denoiser; DDPM/DDIM/DPM-Solver++/Euler/Heun samplers, guidance, inpainting)";

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var parsed = DiffusionConfig.FromJson(config);
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
