using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// A trained CycleGAN (Zhu et al. 2017): two generators translating between image domains A and B without paired
/// examples, and the two discriminators they were trained against (kept so training can continue). Images are in
/// [0, 1] outside the model and [−1, 1] inside. <see cref="Translate"/> and <see cref="Cycle"/> are the model's real
/// interface; <see cref="Sample"/> translates Fashion-MNIST test images of domain A to B (see its remarks).
/// </summary>
public sealed class CycleGanModel : IGenerativeModel, IImageTranslator
{
    public const string KindName = "cyclegan";
    private const int ChunkSize = 256;

    public CycleGanModel(CycleGanConfig config, CycleGanNetworks networks, Device? device = null)
    {
        Config = config;
        Networks = networks;
        Device = device ?? CPU;
    }

    public CycleGanConfig Config { get; }
    public CycleGanNetworks Networks { get; }
    /// <summary>Where the networks live; inputs are moved there and outputs come back on the CPU.</summary>
    public Device Device { get; }
    public string Kind => KindName;

    /// <summary>The name of the domain a direction translates into.</summary>
    public string TargetDomain(TranslationDirection direction) => direction == TranslationDirection.AtoB ? Config.DomainB : Config.DomainA;

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState() =>
        Networks.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    /// <summary>
    /// Translates images [n, C, H, W] (the model's image shape) in [0, 1] from one domain to the other; returns [n, C, H, W]
    /// float32 in [0, 1] on the CPU. Deterministic: the generators hold no randomness.
    /// </summary>
    public Tensor Translate(Tensor images, TranslationDirection direction)
    {
        RequireImages(images);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var generator = Networks.Generator(direction);
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += ChunkSize)
        {
            var x = images.narrow(0, start, Math.Min(ChunkSize, images.shape[0] - start)).to(Config.ScalarType).to(Device) * 2 - 1;
            var y = generator.forward(x);
            if (!torch.isfinite(y).all().item<bool>())
                throw new LoomException($"cyclegan: the {TranslationDirections.Name(direction)} generator returned NaN or infinity; the "
                    + "input or the weights are not finite");
            parts.Add(((y + 1) / 2).clamp(0, 1).to(ScalarType.Float32).cpu());
        }
        return torch.cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>There and back: the translation of <paramref name="images"/> and its translation back to the original domain, both [n, C,
    /// H, W] in [0, 1].</summary>
    public (Tensor Translated, Tensor Reconstructed) Cycle(Tensor images, TranslationDirection direction)
    {
        var translated = Translate(images, direction);
        return (translated, Translate(translated, TranslationDirections.Reverse(direction)));
    }

    /// <summary>
    /// Translates <see cref="SampleRequest.Count"/> of the images in the request's <see cref="TranslationInputs"/>
    /// option, chosen by the seed. A CycleGAN generates nothing from noise, so "sampling" it means translating images the
    /// caller supplies; the model reads no files (<c>loom sample</c> passes the Fashion-MNIST test images of domain A for a
    /// model trained on Fashion-MNIST classes; <c>loom translate</c> takes any images).
    /// </summary>
    public SampleSet Sample(SampleRequest request)
    {
        var inputs = request.Get<TranslationInputs>() ?? throw new LoomUsageException(
            Config.DataName == FashionMnist.Name
                ? "cyclegan: give the images to translate (a TranslationInputs option); 'loom sample' passes Fashion-MNIST test images"
                : "cyclegan: this model was trained on folders of images, so it has no test images to translate; "
                  + "translate images of your own (a TranslationInputs option; 'loom translate' on the command line)");
        if (request.Count < 1)
            throw LoomUsageException.ForOption(nameof(request.Count), $"must be positive, got {request.Count}");
        RequireImages(inputs.Images);
        long available = inputs.Images.shape[0];
        if (request.Count > available)
            throw LoomUsageException.ForOption("Count",
                $"there are {available} images of '{SourceDomain(inputs.Direction)}' to translate; asked for {request.Count}");
        using var scope = torch.NewDisposeScope();
        using var generator = Seeding.Generator(request.Seed, "cyclegan-sample");
        var chosen = torch.randperm(available, generator: generator).narrow(0, 0, request.Count);
        var translated = Translate(inputs.Images.index_select(0, chosen), inputs.Direction);
        return new TensorSamples(translated.MoveToOuterDisposeScope());
    }

    private string SourceDomain(TranslationDirection direction) =>
        direction == TranslationDirection.AtoB ? Config.DomainA : Config.DomainB;

    private void RequireImages(Tensor images)
    {
        var shape = Config.ImageShape;
        if (images.dim() != 4 || !images.shape.Skip(1).SequenceEqual(shape))
            throw new LoomUsageException(
                $"cyclegan: expected images [n, {string.Join(", ", shape)}], got [{string.Join(", ", images.shape)}]");
    }

    public void Dispose() => Networks.Dispose();
}

/// <summary>
/// Registry entry: rebuilds a <see cref="CycleGanModel"/> from config.json and model.safetensors, and trains one from a
/// <see cref="CycleGanRecipe"/> through <see cref="CycleGanTrainingRun"/>.
/// </summary>
public sealed class CycleGanFamily : IModelFamily, Training.Runs.ITrainableFamily
{
    public string Kind => CycleGanModel.KindName;

    public Type RecipeType => typeof(CycleGanRecipe);

    /// <summary>None: a CycleGAN has one recipe (<see cref="CycleGanRecipe.Defaults"/>) and the domains are the caller's.</summary>
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public Training.Runs.TrainingOutcome Train(JsonObject recipe, Training.Runs.TrainingContext context) =>
        CycleGanTrainingRun.Train(Training.Runs.RecipeJson.FromJson<CycleGanRecipe>(recipe, "recipe"), context);
    public string Summary => "CycleGAN: unpaired image-to-image translation between two domains (ResNet generators, PatchGAN "
        + "discriminators, LSGAN + cycle loss)";

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var parsed = CycleGanConfig.FromJson(config);
        IO.Checkpoints.ConfigValues.RequireStateHolds(parsed.MinimumParameters(), state);
        var networks = new CycleGanNetworks(parsed);
        try
        {
            ModuleParameters.CopyFrom(networks, state, "model.safetensors");
        }
        catch
        {
            networks.Dispose();
            throw;
        }
        networks.to(device);
        networks.eval();
        return new CycleGanModel(parsed, networks, device);
    }
}
