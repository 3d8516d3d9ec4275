using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Models.Tabular.Neural;

/// <summary>
/// Mode-specific normalisation of one number column (Xu et al. 2019, RDT's ClusterBasedNormalizer): a
/// <see cref="VariationalGaussianMixture"/> with at most <see cref="MaxModes"/> modes; the modes whose weight exceeds
/// <see cref="WeightThreshold"/> are kept. A value x becomes (mode k drawn from its posterior over the kept modes,
/// α = (x − μₖ) / (4σₖ) clipped to ±0.99) and comes back as μₖ + 4σₖ·α.
/// </summary>
public sealed class ModeNormalizer
{
    public const int MaxModes = 10;
    public const double WeightThreshold = 0.005;
    private const double StdMultiplier = 4;

    public ModeNormalizer(VariationalGaussianMixture mixture)
    {
        Mixture = mixture;
        Kept = Enumerable.Range(0, mixture.Weights.Length).Where(j => mixture.Weights[j] > WeightThreshold).ToArray();
        if (Kept.Count == 0)
            Kept = [Array.IndexOf(mixture.Weights, mixture.Weights.Max())];
    }

    public VariationalGaussianMixture Mixture { get; }
    /// <summary>The indices of the mixture's modes a value can be assigned to.</summary>
    public IReadOnlyList<int> Kept { get; }
    public int Modes => Kept.Count;

    /// <summary>Fits the mixture to the column's present values.</summary>
    public static ModeNormalizer Fit(IReadOnlyList<double> present) =>
        new(VariationalGaussianMixture.Fit(present.Count == 0 ? [0.0] : present, MaxModes));

    /// <summary>The kept mode's mean and standard deviation.</summary>
    public (double Mean, double Std) Mode(int kept) => (Mixture.Means[Kept[kept]], Math.Sqrt(Mixture.Variances[Kept[kept]]));

    /// <summary>The standard deviation of the mixture of the kept modes (their weights renormalised).</summary>
    public double Std
    {
        get
        {
            double total = Kept.Sum(k => Mixture.Weights[k]);
            double mean = Kept.Sum(k => Mixture.Weights[k] * Mixture.Means[k]) / total;
            double square = Kept.Sum(k => Mixture.Weights[k] * (Mixture.Variances[k] + Mixture.Means[k] * Mixture.Means[k])) / total;
            return Math.Sqrt(Math.Max(0, square - mean * mean));
        }
    }

    /// <summary>x as (kept mode, α): the mode drawn from the posterior over the kept modes.</summary>
    public (int Mode, double Alpha) Forward(double x, Random random)
    {
        Span<double> posterior = stackalloc double[Mixture.Weights.Length];
        Mixture.Posterior(x, posterior);
        double total = 0;
        for (int k = 0; k < Kept.Count; k++) total += posterior[Kept[k]] + 1e-6;
        double u = random.NextDouble() * total;
        int mode = Kept.Count - 1;
        for (int k = 0; k < Kept.Count; k++)
        {
            u -= posterior[Kept[k]] + 1e-6;
            if (u < 0) { mode = k; break; }
        }
        var (mean, std) = Mode(mode);
        return (mode, Math.Clamp((x - mean) / (StdMultiplier * std), -0.99, 0.99));
    }

    /// <summary>The value of α in kept mode <paramref name="mode"/>.</summary>
    public double Inverse(int mode, double alpha)
    {
        var (mean, std) = Mode(mode);
        return mean + StdMultiplier * std * Math.Clamp(alpha, -1, 1);
    }

    public JsonObject ToJson() => new()
    {
        ["weights"] = Numbers(Mixture.Weights), ["means"] = Numbers(Mixture.Means), ["variances"] = Numbers(Mixture.Variances),
        ["mean_precisions"] = Numbers(Mixture.MeanPrecisions), ["freedoms"] = Numbers(Mixture.Freedoms),
        ["stick_a"] = Numbers(Mixture.StickA), ["stick_b"] = Numbers(Mixture.StickB),
    };

    public static ModeNormalizer FromJson(JsonObject json, string column)
    {
        double[] Read(string key)
        {
            var values = (json[key] as JsonArray)?.Select(v => v?.GetValue<double>() ?? double.NaN).ToArray();
            if (values is null || values.Length == 0 || values.Length > MaxModes || values.Any(v => !double.IsFinite(v)))
                throw new LoomDataException($"config.json: column '{column}' needs 1 to {MaxModes} finite '{key}'");
            return values;
        }
        var mixture = new VariationalGaussianMixture
        {
            Weights = Read("weights"), Means = Read("means"), Variances = Read("variances"), MeanPrecisions = Read("mean_precisions"),
            Freedoms = Read("freedoms"), StickA = Read("stick_a"), StickB = Read("stick_b"),
        };
        int k = mixture.Weights.Length;
        if (new[] { mixture.Means, mixture.Variances, mixture.MeanPrecisions, mixture.Freedoms, mixture.StickA, mixture.StickB }
                .Any(a => a.Length != k) || mixture.Variances.Any(v => v <= 0))
            throw new LoomDataException(
                $"config.json: column '{column}': the mixture's arrays differ in length or a variance is not positive");
        return new ModeNormalizer(mixture);
    }

    private static JsonArray Numbers(double[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
}
