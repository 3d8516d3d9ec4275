using System.Text.Json.Serialization;
using Loom.Core;

namespace Loom.Privacy;

/// <summary>
/// DP-SGD settings: each example's gradient is clipped to <see cref="MaxGradNorm"/>, the clipped sum gets Gaussian noise
/// of standard deviation σ·C, where σ is <see cref="NoiseMultiplier"/> or, with <see cref="TargetEpsilon"/>, the smallest
/// σ whose ε after the whole run stays within the target at <see cref="Delta"/>. Give exactly one of the two.
/// </summary>
public sealed record DpOptions
{
    public double? NoiseMultiplier { get; init; }
    public double? TargetEpsilon { get; init; }
    /// <summary>Failure probability δ of the (ε, δ) guarantee; keep it below 1 / data set size.</summary>
    public double Delta { get; init; } = 1e-5;
    /// <summary>The per-example clipping norm C.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    public void Validate()
    {
        if (NoiseMultiplier is null == TargetEpsilon is null)
            throw LoomUsageException.ForOption(nameof(TargetEpsilon), "give a target ε or a NoiseMultiplier, exactly one of them");
        if (NoiseMultiplier is { } sigma && (!(sigma >= 0) || !double.IsFinite(sigma)))
            throw LoomUsageException.ForOption(nameof(NoiseMultiplier), $"must be a non-negative number, got {sigma}");
        if (TargetEpsilon is { } eps && (!(eps > 0) || !double.IsFinite(eps)))
            throw LoomUsageException.ForOption(nameof(TargetEpsilon), $"must be a positive number, got {eps}");
        PrivacySpent.CheckDelta(Delta);
        if (!(MaxGradNorm > 0) || !double.IsFinite(MaxGradNorm))
            throw LoomUsageException.ForOption(nameof(MaxGradNorm), $"must be a positive number, got {MaxGradNorm}");
    }

    /// <summary>
    /// The settings of a recipe's <c>dp_epsilon</c>, <c>dp_noise</c>, <c>dp_delta</c> and <c>dp_clip</c> (δ 1e-5 and C 1 when
    /// unset); null when none is set, which means ordinary training.
    /// </summary>
    public static DpOptions? FromRecipe(double? epsilon, double? noise, double? delta, double? clip) =>
        epsilon is null && noise is null && delta is null && clip is null ? null : new DpOptions
        {
            TargetEpsilon = epsilon, NoiseMultiplier = noise, Delta = delta ?? 1e-5, MaxGradNorm = clip ?? 1.0,
        };

    /// <summary>The noise multiplier for <paramref name="steps"/> steps at sample rate q.</summary>
    public double ResolveNoise(double sampleRate, long steps) =>
        NoiseMultiplier ?? NoiseCalibration.ForTarget(TargetEpsilon!.Value, Delta, sampleRate, steps).NoiseMultiplier;
}

/// <summary>What a DP-SGD run spent, as its model card records it (<c>privacy</c>). A noise multiplier of 0 gives no
/// guarantee: ε is then infinite and written as null.</summary>
public sealed record PrivacyCard(
    [property: JsonPropertyName("epsilon")] double? Epsilon,
    [property: JsonPropertyName("delta")] double Delta,
    [property: JsonPropertyName("noise_multiplier")] double NoiseMultiplier,
    [property: JsonPropertyName("max_grad_norm")] double MaxGradNorm,
    [property: JsonPropertyName("sample_rate")] double SampleRate,
    [property: JsonPropertyName("steps")] long Steps,
    [property: JsonPropertyName("best_order")] double? BestOrder,
    [property: JsonPropertyName("accountant")] string Accountant = "rdp");
