using System.Text.Json.Nodes;
using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent.Quantized;

/// <summary>
/// A trained VQ-VAE with its autoregressive prior. Sampling is two-stage: the <see cref="PixelCnnPrior"/> draws a map
/// of code indices, the decoder turns it into an image. The state holds the autoencoder's parameters and the
/// quantizer's EMA buffers (<c>vqvae.quantizer.codebook</c>, <c>.cluster_size</c>, <c>.code_sum</c>) under
/// <c>vqvae.</c> and the prior's parameters under <c>prior.</c>.
/// </summary>
public sealed class VqVaeModel : IGenerativeModel, IConditionalModel, IImageGenerator
{
    public const string KindName = "vqvae";
    private const int EncodeBatch = 256;

    /// <summary>A freshly initialised model (weights from the global torch RNG).</summary>
    public VqVaeModel(VqVaeConfig config) : this(config, config.CreateAutoencoder(), config.CreatePrior())
    {
    }

    public VqVaeModel(VqVaeConfig config, VqVae autoencoder, PixelCnnPrior prior)
    {
        Config = config;
        Autoencoder = autoencoder;
        Prior = prior;
    }

    public VqVaeConfig Config { get; }
    public int NumClasses => Config.NumClasses;
    public IReadOnlyList<string> ClassNames => Config.ClassNames;
    public ImageShape ImageShape => new(Config.Channels, Config.ImageSize, Config.ImageSize);
    ImageShape? IImageGenerator.ImageShape => ImageShape;
    public VqVae Autoencoder { get; }
    public PixelCnnPrior Prior { get; }
    public string Kind => KindName;

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState()
    {
        var state = ModuleTensors.Capture(Autoencoder, "vqvae.");
        // The prior's buffers are its fixed masks, rebuilt from the config; only its parameters are state.
        foreach (var (name, p) in Prior.named_parameters()) state["prior." + name] = p;
        return state;
    }

    /// <summary>
    /// Copies saved tensors into both networks: parameters through <see cref="ModuleParameters.CopyFrom"/> (which copies
    /// parameters only) and the quantizer's EMA buffers explicitly. Names the first missing or misshaped tensor.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        ModuleTensors.CopyFrom(Autoencoder, state, source, "vqvae.");
        ModuleParameters.CopyFrom(Prior, state, source, "prior.");
    }

    /// <summary>Moves both networks to <paramref name="device"/>.</summary>
    public VqVaeModel To(Device device)
    {
        Autoencoder.to(device);
        Prior.to(device);
        return this;
    }

    /// <summary>Puts both networks in evaluation mode (the quantizer stops updating its codebook).</summary>
    public void Eval()
    {
        Autoencoder.eval();
        Prior.eval();
    }

    /// <summary>Code indices [n, S/4, S/4] (int64, CPU) of images [n, C, S, S] in [0, 1], encoded in batches.</summary>
    public Tensor Encode(Tensor images)
    {
        CheckImages(images);
        var device = Prior.Device;
        var parts = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += EncodeBatch)
        {
            using var scope = torch.NewDisposeScope();
            var batch = images.narrow(0, start, Math.Min(EncodeBatch, images.shape[0] - start)).to(ScalarType.Float32).to(device);
            parts.Add(Autoencoder.EncodeIndices(batch).cpu().MoveToOuterDisposeScope());
        }
        var codes = torch.cat(parts, 0);
        foreach (var part in parts) part.Dispose();
        return codes;
    }

    /// <summary>Images [n, C, S, S] in [0, 1] (CPU) decoded from code indices [n, S/4, S/4].</summary>
    public Tensor Decode(Tensor codes)
    {
        int s = Config.LatentSize;
        if (codes.dim() != 3 || codes.shape[1] != s || codes.shape[2] != s)
            throw new LoomDataException($"vqvae: code maps must be [n, {s}, {s}], got [{string.Join(", ", codes.shape)}]");
        using var scope = torch.NewDisposeScope();
        var indices = codes.to(ScalarType.Int64);
        if (indices.numel() > 0 && (indices.min().item<long>() < 0 || indices.max().item<long>() >= Config.NumCodes))
            throw new LoomDataException($"vqvae: code indices must be in 0..{Config.NumCodes - 1}");
        return Autoencoder.DecodeIndices(indices.to(Prior.Device)).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Encodes and decodes images [n, C, S, S] in [0, 1]; the result is on the CPU.</summary>
    public Tensor Reconstruct(Tensor images)
    {
        using var codes = Encode(images);
        return Decode(codes);
    }

    /// <summary>
    /// Draws code maps from the prior with a generator derived from <paramref name="seed"/>; <paramref name="labels"/>
    /// ([count] classes) is required by a conditional prior and ignored by an unconditional one. CPU int64 [count, S/4, S/4].
    /// </summary>
    public Tensor SampleCodes(int count, long seed, double temperature = 1.0, IReadOnlyList<int>? labels = null)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = Seeding.Generator(seed, "vqvae-prior");
        Tensor? labelTensor = null;
        if (Config.NumClasses > 0)
        {
            labels ??= Enumerable.Range(0, count).Select(i => i % Config.NumClasses).ToArray();
            if (labels.Count != count) throw new LoomUsageException($"vqvae: {labels.Count} labels for {count} samples");
            foreach (var label in labels)
                if (label < 0 || label >= Config.NumClasses)
                    throw LoomUsageException.ForOption("Class",
                        $"{label} is out of range; this prior has classes 0..{Config.NumClasses - 1} "
                        + $"({string.Join(", ", Config.ClassNames)})");
            labelTensor = torch.tensor(labels.Select(l => (long)l).ToArray());
        }
        return Prior.Sample(count, generator, temperature, labelTensor).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Two-stage sampling: prior → codes → decoder. Images [n, C, S, S] in [0, 1] on the CPU. With a conditional prior
    /// <see cref="SampleRequest.Class"/> picks the class (none: classes cycle 0, 1, …; labels come back with the samples).
    /// </summary>
    public SampleSet Sample(SampleRequest request)
    {
        if (request.Class is not null && Config.NumClasses == 0)
            throw LoomUsageException.ForOption("Class", "this VQ-VAE's prior is unconditional (train it with ConditionalPrior)");
        IReadOnlyList<int>? labels = Config.NumClasses == 0 ? null
            : request.Class is { } c ? Enumerable.Repeat(c, request.Count).ToArray()
                : Enumerable.Range(0, request.Count).Select(i => i % Config.NumClasses).ToArray();
        using var codes = SampleCodes(request.Count, request.Seed, request.Temperature, labels);
        return new TensorSamples(Decode(codes), labels is null ? null : torch.tensor(labels.Select(l => (long)l).ToArray()))
        {
            ClassNames = labels is null ? null : Config.ClassNames
        };
    }

    /// <summary>
    /// On (up to) the first 2,000 of <paramref name="images"/>: reconstruction BCE per pixel (nats), the codebook's
    /// perplexity and number of codes used, and the prior's NLL in nats per code (with <paramref name="labels"/> when conditional).
    /// </summary>
    public Dictionary<string, double> Evaluate(Tensor images, Tensor? labels = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long n = Math.Min(2000, images.shape[0]);
        var subset = images.narrow(0, 0, n).to(ScalarType.Float32);
        var codes = Encode(subset);
        var reconstructed = Decode(codes).clamp(1e-6, 1 - 1e-6);
        var usage = torch.bincount(codes.reshape(-1), minlength: Config.NumCodes).to(ScalarType.Float32);
        var classes = Config.NumClasses > 0 && labels is not null ? labels.narrow(0, 0, n).to(Prior.Device) : null;
        return new Dictionary<string, double>
        {
            ["reconstruction_bce"] = nn.functional.binary_cross_entropy(reconstructed, subset).ToDouble(),
            ["codebook_perplexity"] = VectorQuantizer.Perplexity(usage).ToDouble(),
            ["codes_used"] = usage.gt(0).sum().ToDouble(),
            ["prior_nll_per_code"] = Prior.Nll(codes.to(Prior.Device), classes).ToDouble(),
        };
    }

    private void CheckImages(Tensor images)
    {
        if (images.dim() != 4 || images.shape[1] != Config.Channels || images.shape[2] != Config.ImageSize
            || images.shape[3] != Config.ImageSize)
            throw new LoomDataException($"vqvae: images must be [n, {Config.Channels}, {Config.ImageSize}, {Config.ImageSize}], got "
                + $"[{string.Join(", ", images.shape)}]");
    }

    public void Dispose()
    {
        Autoencoder.Dispose();
        Prior.Dispose();
    }
}

/// <summary>
/// Registry entry: rebuilds a <see cref="VqVaeModel"/> from config.json and model.safetensors, and trains one (both
/// stages) from a <see cref="VqVaeRecipe"/> (<see cref="VqVaeTrainingRun"/>).
/// </summary>
public sealed class VqVaeFamily : IModelFamily, Training.Runs.ITrainableFamily
{
    public string Kind => VqVaeModel.KindName;

    public Type RecipeType => typeof(VqVaeRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject> { ["small"] = VqVaeRecipe.SmallPreset };

    public Training.Runs.TrainingOutcome Train(JsonObject recipe, Training.Runs.TrainingContext context) =>
        VqVaeTrainingRun.Train(Training.Runs.RecipeJson.FromJson<VqVaeRecipe>(recipe, "recipe"), context);

    public string Summary =>
        "VQ-VAE (conv autoencoder, EMA codebook with dead-code restarts) with a PixelCNN prior over its codes; two-stage sampling";

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var parsed = VqVaeConfig.FromJson(config);
        IO.Checkpoints.ConfigValues.RequireStateHolds(parsed.MinimumParameters(), state);
        var model = new VqVaeModel(parsed);
        try
        {
            model.LoadState(state, "model.safetensors");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.To(device);
        model.Eval();
        return model;
    }
}
