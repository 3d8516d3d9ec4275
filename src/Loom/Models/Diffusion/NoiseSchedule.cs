using Loom.Core;

namespace Loom.Models.Diffusion;

/// <summary>How the forward-process variances β_t grow over the training timesteps.</summary>
public enum BetaScheduleKind
{
    /// <summary>β linear from β_start to β_end (DDPM).</summary>
    Linear,
    /// <summary>√β linear from √β_start to √β_end (latent diffusion, "scaled_linear" in diffusers).</summary>
    ScaledLinear,
    /// <summary>ᾱ_t = cos²(((t/T)+s)/(1+s)·π/2) normalised to ᾱ_0-level 1, β clipped at 0.999 (improved DDPM).</summary>
    Cosine,
}

/// <summary>
/// The variance-preserving forward process q(x_t | x_0) = N(√ᾱ_t x_0, (1−ᾱ_t) I) over T discrete training timesteps,
/// with continuous-time lookups: samplers evaluate the model between grid points (Karras sigmas, Heun), so ᾱ and the
/// timestep of any noise level are interpolated in log σ, as diffusers does. Tables are float64.
/// </summary>
public sealed class NoiseSchedule
{
    public NoiseSchedule(BetaScheduleKind kind, int timesteps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        if (timesteps < 2) throw LoomUsageException.ForOption(nameof(Timesteps), $"must be at least 2, got {timesteps}");
        if (kind != BetaScheduleKind.Cosine && !(betaStart > 0 && betaEnd > betaStart && betaEnd < 1))
            throw new LoomUsageException($"beta schedule: need 0 < beta-start < beta-end < 1, got {betaStart} and {betaEnd}");
        Kind = kind;
        Timesteps = timesteps;
        BetaStart = betaStart;
        BetaEnd = betaEnd;
        Betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++)
        {
            double f = (double)t / (timesteps - 1);
            Betas[t] = kind switch
            {
                BetaScheduleKind.Linear => betaStart + f * (betaEnd - betaStart),
                BetaScheduleKind.ScaledLinear => Math.Pow(Math.Sqrt(betaStart) + f * (Math.Sqrt(betaEnd) - Math.Sqrt(betaStart)), 2),
                _ => Math.Min(1 - CosineAlphaBar(t + 1.0, timesteps) / CosineAlphaBar(t, timesteps), 0.999),
            };
        }
        AlphaBars = new double[timesteps];
        double product = 1;
        for (int t = 0; t < timesteps; t++)
        {
            product *= 1 - Betas[t];
            AlphaBars[t] = product;
        }
        LogSigmas = AlphaBars.Select(a => Math.Log(SigmaOf(a))).ToArray();
    }

    public BetaScheduleKind Kind { get; }
    public int Timesteps { get; }
    public double BetaStart { get; }
    public double BetaEnd { get; }
    public double[] Betas { get; }
    /// <summary>ᾱ_t = Π_{s≤t} (1 − β_s).</summary>
    public double[] AlphaBars { get; }
    private double[] LogSigmas { get; }

    /// <summary>The noise-to-signal ratio σ = √((1−ᾱ)/ᾱ) of the equivalent variance-exploding process.</summary>
    public static double SigmaOf(double alphaBar) => Math.Sqrt((1 - alphaBar) / alphaBar);
    public static double AlphaBarOf(double sigma) => 1 / (1 + sigma * sigma);
    /// <summary>Signal-to-noise ratio ᾱ/(1−ᾱ).</summary>
    public static double Snr(double alphaBar) => alphaBar / (1 - alphaBar);

    public double SigmaMin => SigmaOf(AlphaBars[0]);
    public double SigmaMax => SigmaOf(AlphaBars[^1]);

    /// <summary>ᾱ at a continuous timestep, interpolating log σ linearly between grid points.</summary>
    public double AlphaBarAt(double t)
    {
        if (t <= 0) return AlphaBars[0];
        if (t >= Timesteps - 1) return AlphaBars[^1];
        int lo = (int)Math.Floor(t);
        double w = t - lo;
        return AlphaBarOf(Math.Exp((1 - w) * LogSigmas[lo] + w * LogSigmas[lo + 1]));
    }

    /// <summary>The continuous timestep whose noise level is σ (inverse of <see cref="AlphaBarAt"/>; clamped to the table).</summary>
    public double TimestepOf(double sigma)
    {
        double logSigma = Math.Log(sigma);
        if (logSigma <= LogSigmas[0]) return 0;
        if (logSigma >= LogSigmas[^1]) return Timesteps - 1;
        int lo = Array.BinarySearch(LogSigmas, logSigma);
        if (lo >= 0) return lo;
        lo = ~lo - 1;
        return lo + (logSigma - LogSigmas[lo]) / (LogSigmas[lo + 1] - LogSigmas[lo]);
    }

    public static BetaScheduleKind ParseKind(string text) => text.Trim().ToLowerInvariant().Replace('_', '-') switch
    {
        "linear" => BetaScheduleKind.Linear,
        "scaled-linear" => BetaScheduleKind.ScaledLinear,
        "cosine" or "squaredcos-cap-v2" => BetaScheduleKind.Cosine,
        _ => throw LoomUsageException.ForOption("Schedule", $"unknown beta schedule '{text}' (linear, scaled-linear, cosine)"),
    };

    public static string Name(BetaScheduleKind kind) => kind switch
    {
        BetaScheduleKind.Linear => "linear",
        BetaScheduleKind.ScaledLinear => "scaled-linear",
        _ => "cosine",
    };

    private static double CosineAlphaBar(double t, int timesteps)
    {
        const double s = 0.008;
        return Math.Pow(Math.Cos((t / timesteps + s) / (1 + s) * Math.PI / 2), 2);
    }
}
