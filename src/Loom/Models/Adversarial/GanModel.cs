using System.Text.Json.Nodes;
using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>
/// A generative adversarial network: its config, the generator and the discriminator (both saved, under the prefixes
/// <c>generator.</c> and <c>discriminator.</c>, buffers included, so training can continue from a checkpoint).
/// Sampling draws z ~ N(0, I) from the request's seed and decodes it with the generator in evaluation mode.
/// </summary>
public sealed class GanModel(GanConfig config, GanGenerator generator,
    GanDiscriminator discriminator) : IGenerativeModel, ILatentVariableModel, IImageGenerator
{
    public const string KindName = "gan";
    public const string GeneratorPrefix = "generator.";
    public const string DiscriminatorPrefix = "discriminator.";

    public GanConfig Config { get; } = config;
    public GanGenerator Generator { get; } = generator;
    public GanDiscriminator Discriminator { get; } = discriminator;
    public string Kind => KindName;
    public int LatentDim => Config.LatentDim;
    public int NumClasses => Config.NumClasses;
    public IReadOnlyList<string> ClassNames => Config.ClassNames;
    public ImageShape? ImageShape => ImageShape.Of(Config.SampleShape, Config.Images);

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState()
    {
        var state = ModuleTensors.Capture(Generator, GeneratorPrefix);
        foreach (var (k, v) in ModuleTensors.Capture(Discriminator, DiscriminatorPrefix)) state[k] = v;
        return state;
    }

    /// <summary>Copies both networks' parameters and buffers from <c>state[prefix + "generator." …]</c> and <c>…"discriminator."
    /// …</c>.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, string source, string prefix = "")
    {
        ModuleTensors.CopyFrom(Generator, state, source, prefix + GeneratorPrefix);
        ModuleTensors.CopyFrom(Discriminator, state, source, prefix + DiscriminatorPrefix);
    }

    /// <summary>Latents [count, LatentDim] from <paramref name="seed"/> (CPU, float32): N(0, T² I) (see
    /// <see cref="PriorLatents"/>).</summary>
    public Tensor Latents(int count, long seed, double temperature = 1.0)
    {
        using var generator = Seeding.Generator(seed, "gan:latents");
        return PriorLatents.Draw(generator, count, LatentDim, temperature);
    }

    /// <summary>
    /// Class ids [count] for a sample request: all <paramref name="label"/> when given; classes spread evenly
    /// (⌊i·K/count⌋) when null on a conditional model; null for an unconditional model.
    /// </summary>
    public Tensor? Labels(int count, int? label)
    {
        if (NumClasses == 0)
        {
            if (label is not null)
                throw LoomUsageException.ForOption("Class", $"this GAN is unconditional; it was not trained with class labels");
            return null;
        }
        if (label is { } c && (c < 0 || c >= NumClasses))
            throw LoomUsageException.ForOption("Class",
                $"{c} is not a class of this GAN (0–{NumClasses - 1}: {string.Join(", ", Config.ClassNames)})");
        var ids = label is { } fixedClass
            ? Enumerable.Repeat((long)fixedClass, count)
            : Enumerable.Range(0, count).Select(i => (long)i * NumClasses / count);
        return torch.tensor(ids.ToArray(), ScalarType.Int64);
    }

    /// <summary>Generator output for <paramref name="latents"/> in data space (images in [0, 1], vectors in data units), on the
    /// CPU.</summary>
    public Tensor Decode(Tensor latents, Tensor? labels = null)
    {
        if (latents.dim() != 2 || latents.shape[1] != LatentDim)
            throw new LoomUsageException($"latents must be [n, {LatentDim}], got [{string.Join(", ", latents.shape)}]");
        if ((labels is null) != (NumClasses == 0))
            throw new LoomUsageException(NumClasses == 0 ? "this GAN is unconditional; decode without labels"
                : "this GAN is conditional; decode needs one class id per latent");
        using var scope = torch.NewDisposeScope();
        bool wasTraining = Generator.training;
        Generator.eval();
        try
        {
            using var noGrad = torch.no_grad();
            var device = Generator.parameters().First().device;
            var z = latents.to(ScalarType.Float32).to(device);
            var y = labels?.to(ScalarType.Int64).to(device);
            var output = Generator.Generate(z, y);
            if (!torch.isfinite(output).all().item<bool>())
                throw new LoomException("the generator returned NaN or infinity; the weights are not finite");
            return ToDataSpace(output).cpu().MoveToOuterDisposeScope();
        }
        finally
        {
            if (wasTraining) Generator.train();
        }
    }

    public SampleSet Sample(SampleRequest request)
    {
        if (request.Count < 1)
            throw LoomUsageException.ForOption(nameof(request.Count), $"must be at least 1, got {request.Count}");
        using var scope = torch.NewDisposeScope();
        var labels = Labels(request.Count, request.Class);
        var samples = Decode(Latents(request.Count, request.Seed, request.Temperature), labels);
        return new TensorSamples(samples.MoveToOuterDisposeScope(), labels?.cpu().MoveToOuterDisposeScope())
        {
            ClassNames = labels is null ? null : Config.ClassNames
        };
    }

    /// <summary>Data space → model space: images [0, 1] → [−1, 1]; vectors standardized by <see cref="GanConfig.VectorRange"/>.</summary>
    public Tensor ToModelSpace(Tensor x) => ModelSpace(Config, x);

    /// <summary>Model space → data space (images clamped to [0, 1]).</summary>
    public Tensor ToDataSpace(Tensor x)
    {
        if (Config.Images)
            return ((x + 1) / 2).clamp(0, 1);
        if (Config.VectorRange is not { } r)
            return x.alias();
        var (mid, half) = MidAndHalf(r);
        return x * half + mid;
    }

    /// <summary>The model-space transform of a config (used on training data before the model exists).</summary>
    public static Tensor ModelSpace(GanConfig config, Tensor x)
    {
        if (config.Images)
            return x * 2 - 1;
        if (config.VectorRange is not { } r)
            return x.alias();
        var (mid, half) = MidAndHalf(r);
        return (x - mid) / half;
    }

    private static (double Mid, double Half) MidAndHalf((double Low, double High) r) =>
        ((r.Low + r.High) / 2, Math.Max((r.High - r.Low) / 2, 1e-12));

    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
    }
}

/// <summary>
/// Registry entry: rebuilds a <see cref="GanModel"/> from config.json and model.safetensors, and trains one from a
/// <see cref="GanRecipe"/> (presets dcgan, wgan-gp, cgan) through <see cref="GanTrainingRun"/>.
/// </summary>
public sealed class GanFamily : IModelFamily, Training.Runs.ITrainableFamily
{
    public string Kind => GanModel.KindName;

    public Type RecipeType => typeof(GanRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets => GanRecipe.Presets;

    public Training.Runs.TrainingOutcome Train(JsonObject recipe, Training.Runs.TrainingContext context) =>
        GanTrainingRun.Train(Training.Runs.RecipeJson.FromJson<GanRecipe>(recipe, "recipe"), context);

    public string Summary =>
        "Generative adversarial network (MLP or DCGAN; non-saturating, WGAN-GP or hinge loss; spectral norm; class-conditional)";

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var parsed = GanConfig.FromJson(config);
        IO.Checkpoints.ConfigValues.RequireStateHolds(parsed.MinimumParameters(), state);
        var model = new GanModel(parsed, parsed.CreateGenerator(), parsed.CreateDiscriminator());
        try
        {
            model.LoadState(state, "model.safetensors");
            model.Generator.to(device).eval();
            model.Discriminator.to(device).eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
