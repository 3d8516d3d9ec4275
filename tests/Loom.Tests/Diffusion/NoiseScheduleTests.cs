using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Samplers;
using Xunit;

namespace Loom.Tests.Diffusion;

public class NoiseScheduleTests
{
    [Fact]
    public void Linear_betas_and_alpha_bars_match_the_closed_form()
    {
        var s = new NoiseSchedule(BetaScheduleKind.Linear, 1000, 1e-4, 0.02);
        Assert.Equal(1e-4, s.Betas[0], 12);
        Assert.Equal(0.02, s.Betas[999], 12);
        Assert.Equal(1e-4 + 500.0 / 999 * (0.02 - 1e-4), s.Betas[500], 12);
        double product = 1;
        for (int t = 0; t < 1000; t++) product *= 1 - (1e-4 + t / 999.0 * (0.02 - 1e-4));
        Assert.Equal(product, s.AlphaBars[999], 12);
        Assert.Equal(4.0358e-5, s.AlphaBars[999], 6);   // DDPM's ᾱ_T
    }

    [Fact]
    public void Scaled_linear_is_linear_in_the_square_root()
    {
        var s = new NoiseSchedule(BetaScheduleKind.ScaledLinear, 1000, 0.00085, 0.012);
        Assert.Equal(0.00085, s.Betas[0], 12);
        Assert.Equal(0.012, s.Betas[999], 12);
        double mid = Math.Sqrt(0.00085) + 300.0 / 999 * (Math.Sqrt(0.012) - Math.Sqrt(0.00085));
        Assert.Equal(mid * mid, s.Betas[300], 12);
    }

    [Fact]
    public void Cosine_alpha_bar_follows_the_squared_cosine()
    {
        var s = new NoiseSchedule(BetaScheduleKind.Cosine, 1000);
        static double F(double t) => Math.Pow(Math.Cos((t / 1000 + 0.008) / 1.008 * Math.PI / 2), 2);
        for (int t = 0; t < 990; t += 97)
            Assert.Equal(F(t + 1) / F(0), s.AlphaBars[t], 9);
        Assert.All(s.Betas, b => Assert.InRange(b, 0, 0.999));
    }

    [Fact]
    public void Continuous_lookups_invert_each_other_and_hit_the_grid()
    {
        var s = new NoiseSchedule(BetaScheduleKind.Linear, 1000);
        Assert.Equal(s.AlphaBars[250], s.AlphaBarAt(250), 12);
        foreach (var t in new[] { 0.0, 3.3, 250.0, 777.7, 999.0 })
            Assert.Equal(t, s.TimestepOf(NoiseSchedule.SigmaOf(s.AlphaBarAt(t))), 6);
    }

    [Fact]
    public void Timestep_spacings_match_diffusers()
    {
        Assert.Equal(new[] { 900, 800, 700, 600, 500, 400, 300, 200, 100, 0 }, SamplingPlan.Timesteps(1000, 10, TimestepSpacing.Leading));
        Assert.Equal(new[] { 999, 899, 799, 699, 599, 499, 399, 299, 199, 99 }, SamplingPlan.Timesteps(1000, 10, TimestepSpacing.Trailing));
        Assert.Equal(new[] { 999, 888, 777, 666, 555, 444, 333, 222, 111, 0 }, SamplingPlan.Timesteps(1000, 10, TimestepSpacing.Linspace));
    }

    [Fact]
    public void Karras_levels_run_from_sigma_max_to_sigma_min_then_clean()
    {
        var s = new NoiseSchedule(BetaScheduleKind.Linear, 1000);
        var levels = SamplingPlan.Levels(s, 10, karras: true);
        Assert.Equal(11, levels.Count);
        Assert.Equal(s.SigmaMax, levels[0].Sigma, 6);
        Assert.Equal(s.SigmaMin, levels[9].Sigma, 6);
        Assert.True(levels[10].IsClean);
        for (int i = 0; i < 9; i++) Assert.True(levels[i].Sigma > levels[i + 1].Sigma);
        for (int i = 0; i < 10; i++) Assert.Equal(levels[i].AlphaBar, s.AlphaBarAt((float)levels[i].Timestep), 4);
    }

    [Fact]
    public void Strength_keeps_the_last_steps_of_the_plan()
    {
        var s = new NoiseSchedule(BetaScheduleKind.Linear, 1000);
        var levels = SamplingPlan.Levels(s, 50);
        var tail = SamplingPlan.FromStrength(levels, 0.6);
        Assert.Equal(31, tail.Count);
        Assert.Equal(levels[20], tail[0]);
        Assert.Throws<Loom.Core.LoomUsageException>(() => SamplingPlan.FromStrength(levels, 0));
    }
}
