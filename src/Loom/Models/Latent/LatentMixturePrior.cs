using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Mixture;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>How <see cref="LatentMixturePrior.Fit"/> fits the mixtures. A record: copy with <c>with { }</c>.</summary>
public sealed record LatentPriorOptions
{
    /// <summary>Mixture components per class (or in all, for an unconditional VAE).</summary>
    public int Components { get; init; } = 10;
    public CovarianceType CovarianceType { get; init; } = CovarianceType.Full;
    /// <summary>Added to covariance diagonals (scikit-learn's reg_covar), in latent units².</summary>
    public double RegCovar { get; init; } = 1e-4;
    public long Seed { get; init; }

    public void Validate()
    {
        if (Components < 1) throw LoomUsageException.ForOption(nameof(Components), $"must be at least 1, got {Components}");
        if (!(RegCovar >= 0)) throw new LoomUsageException($"latent prior reg_covar: must be non-negative, got {RegCovar}");
    }
}

/// <summary>
/// A sampling prior fitted after training (ex-post density estimation, Ghosh et al. 2020; the second stage of a
/// two-stage VAE): a Gaussian mixture over the encoder's posterior means of the training set, one mixture per class for
/// a conditional VAE. Sampling from it instead of N(0, I) draws latents where the decoder was trained — this matters
/// when the aggregate posterior does not match N(0, I), as with β &lt; 1. Temperature T scales each component's spread.
/// Saved in the checkpoint: config under "latent_prior", tensors as "latent_prior.{class}.{weights|means|precisions_cholesky}".
/// </summary>
public sealed class LatentMixturePrior : IDisposable
{
    public const string ConfigKey = "latent_prior";
    public const string StatePrefix = "latent_prior.";
    private readonly GaussianMixture[] mixtures;

    private LatentMixturePrior(GaussianMixture[] mixtures) => this.mixtures = mixtures;

    /// <summary>One mixture per class, or a single one for an unconditional model.</summary>
    public IReadOnlyList<GaussianMixture> Mixtures => mixtures;
    public int Dimensions => mixtures[0].Dimensions;

    /// <summary>
    /// Fits to <paramref name="latents"/> [n, d] (posterior means), per class of <paramref name="labels"/> when
    /// <paramref name="classes"/> &gt; 0. A class with fewer examples than components (one left out of training) gets
    /// the mixture fitted to all latents.
    /// </summary>
    public static LatentMixturePrior Fit(Tensor latents, Tensor? labels, int classes, LatentPriorOptions options)
    {
        options.Validate();
        if (latents.dim() != 2) throw new LoomDataException(
            $"latent prior: expected latents [n, d], got [{string.Join(", ", latents.shape)}]");
        if (classes > 0 && labels is null) throw new LoomDataException("latent prior: a conditional model needs the training labels");
        var fitted = new List<GaussianMixture>();
        GaussianMixture? pooled = null;
        try
        {
            for (int c = 0; c < Math.Max(1, classes); c++)
            {
                using var scope = torch.NewDisposeScope();
                var rows = classes > 0 ? latents.index_select(0, labels!.to(ScalarType.Int64).eq(c).nonzero().squeeze(1)) : latents;
                if (rows.shape[0] >= options.Components)
                    fitted.Add(FitOne(rows, options, options.Seed + c));
                else
                    // A class the model saw (almost) no examples of, e.g. trained with --classes: sample its latents from all classes'
                    // mixture.
                    fitted.Add(pooled ??= FitOne(latents, options, options.Seed - 1));
            }
        }
        catch
        {
            foreach (var m in fitted.Concat(pooled is null ? [] : [pooled]).Distinct()) m.Dispose();
            throw;
        }
        return new LatentMixturePrior([.. fitted]);
    }

    private static GaussianMixture FitOne(Tensor rows, LatentPriorOptions options, long seed)
    {
        if (rows.shape[0] < options.Components)
            throw new LoomDataException(
                $"latent prior: {rows.shape[0]} training examples, fewer than PriorComponents {options.Components}");
        return GaussianMixture.Fit(rows.to(ScalarType.Float64), new GaussianMixtureOptions
        {
            Components = options.Components, CovarianceType = options.CovarianceType,
            RegCovar = options.RegCovar, Seed = seed, MaxIter = 200,
        });
    }

    /// <summary>
    /// Latents [count, d] float32 on the CPU: row i from the mixture of class <paramref name="labels"/>[i] (or the single
    /// mixture), reproducible from <paramref name="seed"/>, component spread scaled by <paramref name="temperature"/>.
    /// </summary>
    public Tensor Draw(int count, Tensor? labels, long seed, double temperature = 1.0)
    {
        PriorLatents.CheckTemperature(temperature);
        if (mixtures.Length == 1) return DrawFrom(mixtures[0], count, seed, temperature);
        if (labels is null) throw new LoomUsageException("latent prior: this prior is per class; give the labels");
        using var scope = torch.NewDisposeScope();
        var z = torch.zeros([count, Dimensions], ScalarType.Float32);
        var classOf = labels.to(ScalarType.Int64).cpu();
        for (int c = 0; c < mixtures.Length; c++)
        {
            var rows = classOf.eq(c).nonzero().squeeze(1);
            if (rows.shape[0] > 0)
                z.index_copy_(0, rows, DrawFrom(mixtures[c], (int)rows.shape[0], unchecked(seed * 7919 + c), temperature));
        }
        return z.MoveToOuterDisposeScope();
    }

    private static Tensor DrawFrom(GaussianMixture mixture, int count, long seed, double temperature)
    {
        using var scope = torch.NewDisposeScope();
        var samples = ((TensorSamples)mixture.Sample(new SampleRequest { Count = count, Seed = seed, Temperature = temperature })).Values;
        return samples.to(ScalarType.Float32).cpu().MoveToOuterDisposeScope();
    }

    public JsonObject ToJson() => new()
    {
        ["type"] = "gmm",
        ["mixtures"] = mixtures.Length,
        ["components"] = mixtures[0].Components,
        ["dimensions"] = Dimensions,
        ["covariance_type"] = mixtures[0].CovarianceType.Name(),
    };

    /// <summary>The mixtures' tensors under <see cref="StatePrefix"/>{class}.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> GetState() => mixtures.SelectMany((m, c) =>
        m.GetState().Select(kv => KeyValuePair.Create($"{StatePrefix}{c}.{kv.Key}", kv.Value)));

    /// <summary>The prior saved in a checkpoint, or null when its config has none.</summary>
    public static LatentMixturePrior? Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, int latentDim)
    {
        if (config[ConfigKey] is not JsonObject json) return null;
        int count;
        JsonObject mixtureConfig;
        try
        {
            count = json["mixtures"]!.GetValue<int>();
            mixtureConfig = new JsonObject
            {
                ["components"] = json["components"]!.GetValue<int>(),
                ["dimensions"] = json["dimensions"]!.GetValue<int>(),
                ["covariance_type"] = json["covariance_type"]!.GetValue<string>(),
            };
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new LoomDataException($"config.json: '{ConfigKey}' is incomplete or malformed: {e.Message}");
        }
        if (count < 1 || mixtureConfig["dimensions"]!.GetValue<int>() != latentDim)
            throw new LoomDataException($"config.json: '{ConfigKey}' does not match the model's latent size {latentDim}");
        var family = new GaussianMixtureFamily();
        var loaded = new List<GaussianMixture>();
        try
        {
            for (int c = 0; c < count; c++)
            {
                string prefix = $"{StatePrefix}{c}.";
                var own = state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
                loaded.Add((GaussianMixture)family.Load(mixtureConfig, own, torch.CPU));
            }
        }
        catch
        {
            foreach (var m in loaded) m.Dispose();
            throw;
        }
        return new LatentMixturePrior([.. loaded]);
    }

    public void Dispose()
    {
        foreach (var m in mixtures.Distinct()) m.Dispose();
    }
}
