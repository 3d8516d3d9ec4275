using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>
/// A trained VAE or conditional VAE. Samples are decoder means (pixel probabilities for Bernoulli images) of latents from
/// N(0, T² I), T the request's temperature, or from the fitted <see cref="LatentPrior"/> when there is one;
/// <see cref="ExampleNll(Tensor)"/> is the importance-sampled −log p(x) with <see cref="ImportanceSamples"/> samples.
/// </summary>
public sealed class VaeModel : IGenerativeModel, IVariationalAutoencoder, IExampleScorer, IImageGenerator
{
    public const string KindName = "vae";

    public VaeModel(VariationalAutoencoder network) => Network = network;

    public VariationalAutoencoder Network { get; }
    public VaeConfig Config => Network.Config;
    public string Kind => KindName;
    public int LatentDim => Config.LatentDim;
    public int NumClasses => Config.NumClasses;
    public IReadOnlyList<string> ClassNames => Config.ClassNames;
    public ImageShape? ImageShape => ImageShape.Of(Config.SampleShape, Config.Images);
    /// <summary>Importance samples per example for <see cref="ExampleNll(Tensor)"/>.</summary>
    public int ImportanceSamples { get; set; } = 1000;

    /// <summary>
    /// A sampling prior fitted to the training set's posterior means (<see cref="FitLatentPrior"/>); null samples from
    /// N(0, I). The model owns it. Likelihoods (ELBO, NLL) always use N(0, I), the prior the model was trained with.
    /// </summary>
    public LatentMixturePrior? LatentPrior { get; private set; }

    public JsonObject GetConfig()
    {
        var config = Config.ToJson();
        if (LatentPrior is not null) config[LatentMixturePrior.ConfigKey] = LatentPrior.ToJson();
        return config;
    }

    public IReadOnlyDictionary<string, Tensor> GetState()
    {
        var state = Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        foreach (var (name, tensor) in LatentPrior?.GetState() ?? []) state[name] = tensor;
        return state;
    }

    /// <summary>Replaces the sampling prior (disposing the old one); null goes back to N(0, I).</summary>
    public void SetLatentPrior(LatentMixturePrior? prior)
    {
        if (ReferenceEquals(prior, LatentPrior)) return;
        LatentPrior?.Dispose();
        LatentPrior = prior;
    }

    /// <summary>
    /// Fits <see cref="LatentPrior"/> to the posterior means of <paramref name="examples"/> (the training set, in data
    /// space; binarized once with the options' seed for a Bernoulli model, as it was trained), per class for a CVAE.
    /// </summary>
    public void FitLatentPrior(Tensor examples, Tensor? labels, LatentPriorOptions options, int batch = 1000)
    {
        options.Validate();
        using var scope = torch.NewDisposeScope();
        var x = examples;
        if (Config.Likelihood == VaeLikelihood.Bernoulli)
        {
            using var generator = new torch.Generator((ulong)options.Seed);
            x = torch.bernoulli(examples.to(ScalarType.Float32), generator: generator);
        }
        var classLabels =
            NumClasses > 0 ? labels ?? throw new LoomDataException("latent prior: a conditional VAE needs the training labels") : null;
        var means = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += batch)
        {
            long take = Math.Min(batch, x.shape[0] - start);
            means.Add(EncodeMean(x.narrow(0, start, take), classLabels?.narrow(0, start, take)));
        }
        SetLatentPrior(LatentMixturePrior.Fit(torch.cat(means), classLabels, NumClasses, options));
    }

    /// <summary>Latents for samples: from <see cref="LatentPrior"/> when fitted, else <see cref="PriorLatents"/>.</summary>
    public Tensor SampleLatents(int count, Tensor? labels, long seed, double temperature = 1.0) =>
        LatentPrior?.Draw(count, labels, seed, temperature) ?? PriorLatents(count, seed, temperature);

    private Device NetworkDevice => Network.parameters().First().device;

    public Tensor Decode(Tensor latents, Tensor? labels = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Network.eval();
        var device = NetworkDevice;
        return Network.DecodeMean(latents.to(ScalarType.Float32).to(device), labels?.to(device)).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Posterior means μ(x) of data-space examples (images in [0, 1]): [n, latent] on the CPU.</summary>
    public Tensor AnomalyScores(Tensor examples, Tensor? labels, AnomalyScoreKind kind, long seed, int samples) =>
        VaeAnomalyScores.Score(this, examples, labels, kind, seed, samples);

    public Tensor EncodeMean(Tensor examples, Tensor? labels = null)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        Network.eval();
        var device = NetworkDevice;
        return Network.Encode(examples.to(ScalarType.Float32).to(device), labels?.to(device)).Mean.cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Prior latents from <paramref name="seed"/>: [count, latent], N(0, T² I) (see <see cref="Models.PriorLatents"/>).</summary>
    public Tensor PriorLatents(int count, long seed, double temperature = 1.0)
    {
        using var generator = new torch.Generator((ulong)seed);
        return Models.PriorLatents.Draw(generator, count, LatentDim, temperature);
    }

    /// <summary>Class labels for <paramref name="count"/> samples: all <paramref name="requested"/>, or classes spread evenly.</summary>
    public Tensor? SampleLabels(int count, int? requested)
    {
        if (NumClasses == 0)
        {
            if (requested is not null) throw LoomUsageException.ForOption("Class", "this VAE is not conditional");
            return null;
        }
        if (requested is { } c && (c < 0 || c >= NumClasses))
            throw LoomUsageException.ForOption("Class",
                $"must be in 0..{NumClasses - 1} ({string.Join(", ", Config.ClassNames)}), got {c}");
        return requested is { } k ? torch.full(count, k, ScalarType.Int64) : torch.arange(count, dtype: ScalarType.Int64) % NumClasses;
    }

    public SampleSet Sample(SampleRequest request)
    {
        using var scope = torch.NewDisposeScope();
        var labels = SampleLabels(request.Count, request.Class);
        var images = Decode(SampleLatents(request.Count, labels, request.Seed, request.Temperature), labels).MoveToOuterDisposeScope();
        return new TensorSamples(images, labels?.MoveToOuterDisposeScope()) { ClassNames = labels is null ? null : Config.ClassNames };
    }

    /// <summary>Importance-sampled −log p(x) (nats) of data-space examples; labels must be given for a CVAE via
    /// <see cref="ExampleNll(Tensor, Tensor?, int, long, int)"/>.</summary>
    public Tensor ExampleNll(Tensor examples) => ExampleNll(examples, null, ImportanceSamples, 0);

    public Tensor ExampleNll(Tensor examples, Tensor? labels, int k, long seed, int batch = 100)
    {
        using var scope = torch.NewDisposeScope();
        Network.eval();
        torch.random.manual_seed(seed);
        var device = NetworkDevice;
        var parts = new List<Tensor>();
        for (long start = 0; start < examples.shape[0]; start += batch)
        {
            long end = Math.Min(start + batch, examples.shape[0]);
            var x = examples.narrow(0, start, end - start).to(ScalarType.Float32).to(device);
            var y = labels?.narrow(0, start, end - start).to(device);
            parts.Add(Network.ImportanceNll(x, y, k, chunk: Math.Max(1, 20000 / (int)(end - start))).cpu());
        }
        return torch.cat(parts).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        LatentPrior?.Dispose();
        Network.Dispose();
    }
}

/// <summary>
/// Registry entry: rebuilds a <see cref="VaeModel"/> from config.json and model.safetensors, and trains a VAE or CVAE
/// from a <see cref="VaeRecipe"/> (<see cref="VaeTrainingRun"/>).
/// </summary>
public sealed class VaeFamily : IModelFamily, Training.Runs.ITrainableFamily
{
    public string Kind => VaeModel.KindName;

    public Type RecipeType => typeof(VaeRecipe);

    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>
    {
        ["images"] = VaeRecipe.ImagePreset, ["vectors"] = VaeRecipe.VectorPreset,
    };

    public Training.Runs.TrainingOutcome Train(JsonObject recipe, Training.Runs.TrainingContext context) =>
        VaeTrainingRun.Train(Training.Runs.RecipeJson.FromJson<VaeRecipe>(recipe, "recipe"), context);

    public string Summary => "Variational autoencoder (MLP or conv; Bernoulli or Gaussian; β-VAE, IWAE, class-conditional CVAE)";

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var parsed = VaeConfig.FromJson(config);
        ConfigValues.RequireStateHolds(parsed.MinimumParameters(), state);
        var network = new VariationalAutoencoder(parsed);
        LatentMixturePrior? prior = null;
        try
        {
            ModuleParameters.CopyFrom(network, state, "model.safetensors");   // copies the network's keys; the prior's are read below
            prior = LatentMixturePrior.Load(config, state, network.Config.LatentDim);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.to(device);
        network.eval();
        var model = new VaeModel(network);
        model.SetLatentPrior(prior);
        return model;
    }
}
