using static TorchSharp.torch;

namespace Loom.Models.Mixture;

/// <summary>How EM initialises responsibilities before the first M-step (scikit-learn's <c>init_params</c>).</summary>
public enum MixtureInit
{
    /// <summary>k-means (k-means++ seeding, then Lloyd iterations); hard assignments.</summary>
    KMeans,
    /// <summary>k-means++ seeding only: each center's data point gets responsibility 1.</summary>
    KMeansPlusPlus,
    /// <summary>Uniform random responsibilities, normalised per sample.</summary>
    Random,
    /// <summary>k random data points get responsibility 1.</summary>
    RandomFromData,
}

/// <summary>Options for fitting a <see cref="GaussianMixture"/> by EM. Defaults follow scikit-learn's GaussianMixture.</summary>
public sealed record GaussianMixtureOptions
{
    public int Components { get; init; } = 1;
    public CovarianceType CovarianceType { get; init; } = CovarianceType.Full;
    /// <summary>EM stops when the mean log-likelihood lower bound changes by less than this.</summary>
    public double Tol { get; init; } = 1e-3;
    /// <summary>Added to the covariance diagonals so they stay positive definite.</summary>
    public double RegCovar { get; init; } = 1e-6;
    public int MaxIter { get; init; } = 100;
    /// <summary>Restarts; the one with the best lower bound is kept.</summary>
    public int NInit { get; init; } = 1;
    public MixtureInit Init { get; init; } = MixtureInit.KMeans;
    public long Seed { get; init; }
    /// <summary>Optional initial weights [k]; replaces the init's weights (all inits).</summary>
    public Tensor? WeightsInit { get; init; }
    /// <summary>Optional initial means [k,d].</summary>
    public Tensor? MeansInit { get; init; }
    /// <summary>Optional initial precisions, in the covariance type's shape.</summary>
    public Tensor? PrecisionsInit { get; init; }
}

/// <summary>One EM iteration's report.</summary>
public sealed record EmProgress(int Init, int Iteration, int MaxIter, double LowerBound, double Change);
