using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Models.Hmm;

/// <summary>How an HMM state emits observations.</summary>
public enum HmmEmission
{
    /// <summary>One of <see cref="HmmOptions.Symbols"/> integer symbols per step.</summary>
    Categorical,
    /// <summary>A real vector per step from a Gaussian with a diagonal covariance per state.</summary>
    GaussianDiag,
    /// <summary>A real vector per step from a Gaussian with a full covariance per state.</summary>
    GaussianFull,
}

/// <summary>How Baum-Welch picks its starting parameters.</summary>
public enum HmmInit
{
    /// <summary>K-means means for Gaussian emissions, random emission probabilities for categorical ones.</summary>
    Auto,
    /// <summary>Gaussian means from seeded k-means; uniform start and transition probabilities.</summary>
    KMeans,
    /// <summary>Random start, transition and emission parameters (Gaussian means are random data points).</summary>
    Random,
}

/// <summary>
/// Hyperparameters of a hidden Markov model and of its Baum-Welch fit. A record: derive variants with <c>with { }</c>.
/// </summary>
public sealed record HmmOptions
{
    /// <summary>Number of hidden states (at least 1).</summary>
    public int States { get; init; } = 2;

    /// <summary>Emission distribution of every state.</summary>
    public HmmEmission Emission { get; init; } = HmmEmission.GaussianDiag;

    /// <summary>Alphabet size for <see cref="HmmEmission.Categorical"/>; 0 means "largest symbol in the data + 1".</summary>
    public int Symbols { get; init; }

    /// <summary>Most EM iterations (each an E-step and an M-step).</summary>
    public int MaxIter { get; init; } = 100;

    /// <summary>EM stops when the log-likelihood gain of one iteration falls below this (nats, summed over sequences); 0 or less runs all
    /// <see cref="MaxIter"/> iterations unless the likelihood decreases (beyond rounding noise).</summary>
    public double Tol { get; init; } = 1e-4;

    /// <summary>Added to every variance (the diagonal of every covariance) after each M-step, keeping Gaussians proper.</summary>
    public double MinCovar { get; init; } = 1e-3;

    /// <summary>Seeds initialisation (k-means and random parameters).</summary>
    public long Seed { get; init; }

    /// <summary>Starting-parameter strategy.</summary>
    public HmmInit Init { get; init; } = HmmInit.Auto;

    /// <summary>Throws <see cref="LoomUsageException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (States < 1)
            throw LoomUsageException.ForOption(nameof(States), $"must be at least 1, got {States}");
        if (Symbols < 0)
            throw LoomUsageException.ForOption(nameof(Symbols), $"must be 0 (from the data) or positive, got {Symbols}");
        if (Symbols > 0 && Emission != HmmEmission.Categorical)
            throw LoomUsageException.ForOption(nameof(Symbols), $"only applies to categorical emissions, not {Emission}");
        if (MaxIter < 0)
            throw LoomUsageException.ForOption(nameof(MaxIter), $"must be 0 or more, got {MaxIter}");
        if (!double.IsFinite(Tol))
            throw LoomUsageException.ForOption(nameof(Tol), $"must be a finite number, got {Tol}");
        if (!(MinCovar >= 0) || double.IsInfinity(MinCovar))
            throw LoomUsageException.ForOption(nameof(MinCovar), $"must be a finite number >= 0, got {MinCovar}");
        if (Init == HmmInit.KMeans && Emission == HmmEmission.Categorical)
            throw LoomUsageException.ForOption(nameof(Init), "kmeans needs Gaussian emissions; use auto or random for categorical");
    }

    /// <summary>Parses an emission name as the CLI and configs spell it: <c>categorical</c>, <c>gaussian-diag</c>,
    /// <c>gaussian-full</c>.</summary>
    public static HmmEmission ParseEmission(string text) => text.Trim().ToLowerInvariant() switch
    {
        "categorical" or "discrete" => HmmEmission.Categorical,
        "gaussian-diag" or "gaussiandiag" or "diag" => HmmEmission.GaussianDiag,
        "gaussian-full" or "gaussianfull" or "full" => HmmEmission.GaussianFull,
        _ => throw LoomUsageException.ForOption(nameof(Emission),
            $"'{text}' is not an emission; use categorical, gaussian-diag or gaussian-full"),
    };

    /// <summary>The name <see cref="ParseEmission"/> reads back.</summary>
    public static string EmissionName(HmmEmission emission) => emission switch
    {
        HmmEmission.Categorical => "categorical",
        HmmEmission.GaussianDiag => "gaussian-diag",
        HmmEmission.GaussianFull => "gaussian-full",
        _ => throw new ArgumentOutOfRangeException(nameof(emission)),
    };

    /// <summary>Parses an init name: <c>auto</c>, <c>kmeans</c>, <c>random</c>.</summary>
    public static HmmInit ParseInit(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => HmmInit.Auto,
        "kmeans" or "k-means" => HmmInit.KMeans,
        "random" => HmmInit.Random,
        _ => throw LoomUsageException.ForOption(nameof(Init), $"'{text}' is not an init; use auto, kmeans or random"),
    };

    internal JsonObject ToJson() => new()
    {
        ["states"] = States,
        ["emission"] = EmissionName(Emission),
        ["symbols"] = Symbols,
        ["max_iter"] = MaxIter,
        ["tol"] = Tol,
        ["min_covar"] = MinCovar,
        ["seed"] = Seed,
        ["init"] = Init.ToString().ToLowerInvariant(),
    };
}
