using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Latent;

/// <summary>How the decoder's output turns into a likelihood p(x | z).</summary>
public enum VaeLikelihood
{
    /// <summary>Independent Bernoulli per pixel (binarized images); the decoder outputs logits.</summary>
    Bernoulli,
    /// <summary>Independent Gaussian per dimension with one learned scale; the decoder outputs means.</summary>
    Gaussian,
}

/// <summary>
/// Everything that defines a trained VAE apart from its weights: encoder/decoder shape, likelihood, latent size, β,
/// classes (a conditional VAE when there are any), the data's shape and which class was held out (anomaly detection).
/// Round-trips through config.json.
/// </summary>
public sealed record VaeConfig
{
    /// <summary>mlp (vectors or flattened images) or conv (28×28 images).</summary>
    public string Network { get; init; } = "mlp";
    public VaeLikelihood Likelihood { get; init; } = VaeLikelihood.Bernoulli;
    public int LatentDim { get; init; } = 16;
    /// <summary>MLP hidden width.</summary>
    public int Hidden { get; init; } = 400;
    /// <summary>MLP hidden layers in the encoder (and the decoder).</summary>
    public int Layers { get; init; } = 2;
    /// <summary>Conv channels at full resolution (doubled at 14×14... see <see cref="ConvEncoder"/>).</summary>
    public int BaseChannels { get; init; } = 32;
    /// <summary>Conv network only: residual blocks at 7×7 in the encoder, and at 7×7 and at 14×14 in the decoder (0 = none).</summary>
    public int ResBlocks { get; init; }
    /// <summary>Weight of the KL term (β-VAE); 1 is the plain ELBO.</summary>
    public double Beta { get; init; } = 1.0;
    /// <summary>Importance samples of the training bound: 1 = ELBO (VAE), k &gt; 1 = IWAE.</summary>
    public int TrainSamples { get; init; } = 1;
    public long[] SampleShape { get; init; } = [1, 28, 28];
    public bool Images { get; init; } = true;
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    public string DataName { get; init; } = "";
    /// <summary>Classes of the data set the model was trained on; empty = all (anomaly detection trains on a subset).</summary>
    public IReadOnlyList<int> TrainClasses { get; init; } = [];

    /// <summary>Classes the decoder conditions on; 0 = unconditional.</summary>
    public int NumClasses => ClassNames.Count;
    public long DataDim => SampleShape.Aggregate(1L, (a, b) => a * b);

    public void Validate()
    {
        if (Network is not ("mlp" or "conv")) throw LoomUsageException.ForOption(nameof(Network), $"expected mlp or conv, got '{Network}'");
        if (Network == "conv" && !(Images && SampleShape is [1, 28, 28])) throw LoomUsageException.ForOption(nameof(Network),
            "conv needs 28×28 grayscale images (e.g. fashion-mnist); use mlp for vectors");
        if (LatentDim < 1) throw LoomUsageException.ForOption(nameof(LatentDim), $"must be at least 1, got {LatentDim}");
        if (ResBlocks < 0) throw LoomUsageException.ForOption(nameof(ResBlocks), $"must be non-negative, got {ResBlocks}");
        if (ResBlocks > 0 && Network != "conv") throw LoomUsageException.ForOption(nameof(ResBlocks),
            "only the conv network has residual blocks; set Network to conv");
        if (Hidden < 1) throw LoomUsageException.ForOption(nameof(Hidden), $"must be at least 1, got {Hidden}");
        if (Layers < 1) throw LoomUsageException.ForOption(nameof(Layers), $"must be at least 1, got {Layers}");
        if (BaseChannels < 1) throw LoomUsageException.ForOption(nameof(BaseChannels), $"must be at least 1, got {BaseChannels}");
        if (!(Beta >= 0) || !double.IsFinite(Beta)) throw LoomUsageException.ForOption(nameof(Beta), $"must be non-negative, got {Beta}");
        if (TrainSamples < 1) throw LoomUsageException.ForOption(nameof(TrainSamples), $"must be at least 1, got {TrainSamples}");
        if (Likelihood == VaeLikelihood.Bernoulli
            && !Images) throw LoomUsageException.ForOption(nameof(Likelihood),
            "bernoulli needs images in [0, 1]; use gaussian for vectors");
    }

    public JsonObject ToJson() => new()
    {
        ["network"] = Network,
        ["likelihood"] = Likelihood.ToString().ToLowerInvariant(),
        ["latent_dim"] = LatentDim,
        ["hidden"] = Hidden,
        ["layers"] = Layers,
        ["base_channels"] = BaseChannels,
        ["res_blocks"] = ResBlocks,
        ["beta"] = Beta,
        ["train_samples"] = TrainSamples,
        ["sample_shape"] = new JsonArray(SampleShape.Select(s => (JsonNode)s).ToArray()),
        ["images"] = Images,
        ["class_names"] = new JsonArray(ClassNames.Select(c => (JsonNode)c).ToArray()),
        ["data"] = DataName,
        ["train_classes"] = new JsonArray(TrainClasses.Select(c => (JsonNode)c).ToArray()),
    };

    public static VaeConfig FromJson(JsonObject json)
    {
        try
        {
            var v = new ConfigValues(json);
            var config = new VaeConfig
            {
                Network = v.String("network"),
                Likelihood = ParseLikelihood(v.String("likelihood")),
                LatentDim = v.Int("latent_dim", 1, 65_536),
                Hidden = v.Int("hidden", 1, 1 << 20),
                Layers = v.Int("layers", 1, 1024),
                BaseChannels = v.Int("base_channels", 1, 1 << 16),
                ResBlocks = v.Int("res_blocks", 0, 1024, whenAbsent: 0),
                Beta = v.Double("beta", 0, double.MaxValue),
                TrainSamples = v.Int("train_samples", 1, 1 << 20),
                SampleShape = v.Longs("sample_shape", 1, 1 << 24, 4),
                Images = v.Bool("images"),
                ClassNames = v.Strings("class_names", []),
                DataName = v.String("data", ""),
                TrainClasses =
                    v.Has("train_classes") ? v.Longs("train_classes", 0, int.MaxValue, 1 << 16).Select(c => (int)c).ToArray() : [],
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (
            e is NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException or LoomUsageException)
        {
            throw new LoomDataException($"vae config.json is incomplete or malformed: {e.Message}");
        }
    }

    /// <summary>
    /// A lower bound on the weights a network of this configuration holds (the MLP's first layers and biases), so a
    /// checkpoint's config can be checked against its weights before anything is allocated.
    /// </summary>
    public double MinimumParameters() => Network == "mlp"
        ? (double)Hidden * LatentDim + (double)Hidden * SampleShape.Aggregate(1.0, (a, b) => a * b) + (double)Layers * Hidden
        : 2.0 * LatentDim + (double)ResBlocks * BaseChannels;

    public static VaeLikelihood ParseLikelihood(string text) => text.Trim().ToLowerInvariant() switch
    {
        "bernoulli" => VaeLikelihood.Bernoulli,
        "gaussian" => VaeLikelihood.Gaussian,
        _ => throw LoomUsageException.ForOption(nameof(Likelihood), $"expected bernoulli or gaussian, got '{text}'"),
    };
}
