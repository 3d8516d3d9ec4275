using Loom.Core;

namespace Loom.Models.Diffusion.Samplers;

/// <summary>How inference timesteps are placed on the training grid (the three options of diffusers' schedulers).</summary>
public enum TimestepSpacing
{
    /// <summary>round(linspace(0, T−1, n)), descending.</summary>
    Linspace,
    /// <summary>0, T/n, 2T/n, … (integer ratio), descending (DDIM paper; never reaches T−1).</summary>
    Leading,
    /// <summary>round(arange(T, 0, −T/n)) − 1: starts at T−1 (recommended for few steps).</summary>
    Trailing,
}

/// <summary>Builds the noise-level path a sampler walks, from the schedule, step count, spacing and Karras option.</summary>
public static class SamplingPlan
{
    /// <summary>
    /// n noisy levels from most to least noisy, then <see cref="NoiseLevel.Clean"/>. With <paramref name="karras"/> the σ
    /// values follow Karras et al. (ρ = 7) between the schedule's σ_min and σ_max and their timesteps are interpolated.
    /// </summary>
    public static IReadOnlyList<NoiseLevel> Levels(NoiseSchedule schedule, int steps,
        TimestepSpacing spacing = TimestepSpacing.Trailing, bool karras = false)
    {
        int T = schedule.Timesteps;
        if (steps < 1 || steps > T)
            throw LoomUsageException.ForOption("Steps", $"must be between 1 and the model's {T} training timesteps, got {steps}");
        var levels = new List<NoiseLevel>(steps + 1);
        if (karras)
        {
            const double rho = 7;
            double minInv = Math.Pow(schedule.SigmaMin, 1 / rho), maxInv = Math.Pow(schedule.SigmaMax, 1 / rho);
            for (int i = 0; i < steps; i++)
            {
                double f = steps == 1 ? 0 : (double)i / (steps - 1);
                double sigma = Math.Pow(maxInv + f * (minInv - maxInv), rho);
                double t = schedule.TimestepOf(sigma);
                levels.Add(new NoiseLevel(t, NoiseSchedule.AlphaBarOf(sigma)));
            }
        }
        else
        {
            foreach (var t in Timesteps(T, steps, spacing))
                levels.Add(new NoiseLevel(t, schedule.AlphaBars[t]));
        }
        levels.Add(NoiseLevel.Clean);
        return levels;
    }

    /// <summary>Integer training timesteps, descending.</summary>
    public static int[] Timesteps(int trainTimesteps, int steps, TimestepSpacing spacing)
    {
        int T = trainTimesteps;
        var ts = new int[steps];
        for (int i = 0; i < steps; i++)
        {
            ts[i] = spacing switch
            {
                TimestepSpacing.Linspace =>
                    (int)Math.Round(steps == 1 ? T - 1 : (double)(T - 1) * (steps - 1 - i) / (steps - 1), MidpointRounding.ToEven),
                TimestepSpacing.Leading => (steps - 1 - i) * (T / steps),
                _ => (int)Math.Round(T - i * ((double)T / steps), MidpointRounding.ToEven) - 1,
            };
        }
        return ts;
    }

    /// <summary>
    /// The tail of a plan for image-to-image and strength-limited inpainting: of n steps keep the last
    /// round(n·strength) (at least 1), so strength 1 starts from pure noise and small strengths stay near the input.
    /// </summary>
    public static IReadOnlyList<NoiseLevel> FromStrength(IReadOnlyList<NoiseLevel> levels, double strength)
    {
        if (!(strength > 0 && strength <= 1))
            throw LoomUsageException.ForOption("Strength", $"must be in (0, 1], got {strength}");
        int steps = levels.Count - 1;
        int keep = Math.Max(1, (int)Math.Round(steps * strength));
        return levels.Skip(steps - keep).ToList();
    }

    public static TimestepSpacing ParseSpacing(string text) => text.Trim().ToLowerInvariant() switch
    {
        "linspace" => TimestepSpacing.Linspace,
        "leading" => TimestepSpacing.Leading,
        "trailing" => TimestepSpacing.Trailing,
        _ => throw LoomUsageException.ForOption("Spacing", $"unknown timestep spacing '{text}' (leading, trailing, linspace)"),
    };
}
