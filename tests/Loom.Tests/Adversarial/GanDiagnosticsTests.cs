using Loom.Data;
using Loom.Models.Adversarial;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial;

/// <summary>Each failure detector on synthetic inputs that should and should not trigger it.</summary>
public class GanDiagnosticsTests
{
    [Fact]
    public void Discriminator_collapse_needs_several_near_zero_losses_in_a_row()
    {
        var diagnostics = new GanDiagnostics(new GanDiagnosticsOptions { CollapsedLogs = 3 });
        Assert.Null(diagnostics.ObserveDiscriminatorLoss(GanLossKind.NonSaturating, 0.01));
        Assert.Null(diagnostics.ObserveDiscriminatorLoss(GanLossKind.NonSaturating, 0.01));
        Assert.Null(diagnostics.ObserveDiscriminatorLoss(GanLossKind.NonSaturating, 1.2));   // the run is broken
        Assert.Null(diagnostics.ObserveDiscriminatorLoss(GanLossKind.NonSaturating, 0.02));
        Assert.Null(diagnostics.ObserveDiscriminatorLoss(GanLossKind.NonSaturating, 0.001));
        var warning = diagnostics.ObserveDiscriminatorLoss(GanLossKind.NonSaturating, 0.003);
        Assert.NotNull(warning);
        Assert.Equal("discriminator-collapse", warning!.Kind);
        // A Wasserstein critic near 0 is at equilibrium, not collapsed.
        var critic = new GanDiagnostics(new GanDiagnosticsOptions { CollapsedLogs = 1 });
        Assert.Null(critic.ObserveDiscriminatorLoss(GanLossKind.Wasserstein, 0.0));
        Assert.NotNull(critic.ObserveDiscriminatorLoss(GanLossKind.Hinge, 0.0));
    }

    [Fact]
    public void Exploding_gradients_are_flagged_by_threshold_by_growth_and_when_not_finite()
    {
        var diagnostics = new GanDiagnostics(new GanDiagnosticsOptions { MaxGradNorm = 1e4, GradGrowth = 100 });
        foreach (var norm in new[] { 1.0, 2.0, 1.5, 3.0, 20.0 })
            Assert.Null(diagnostics.ObserveGradientNorm("generator", norm));
        var growth = diagnostics.ObserveGradientNorm("generator", 500);   // median of recent norms is 2 → 250×
        Assert.Equal("generator-gradient-explosion", growth?.Kind);
        Assert.Null(diagnostics.ObserveGradientNorm("discriminator", 50));  // networks keep separate histories
        Assert.NotNull(diagnostics.ObserveGradientNorm("discriminator", 2e4));
        Assert.NotNull(diagnostics.ObserveGradientNorm("discriminator", double.NaN));
    }

    [Fact]
    public void Low_diversity_of_collapsed_samples_is_flagged_and_real_looking_samples_pass()
    {
        var diagnostics = new GanDiagnostics();
        using var scope = torch.NewDisposeScope();
        var real = ToyData.Generate("8gaussians", 500, 1);
        var healthy = ToyData.Generate("8gaussians", 500, 2);
        var collapsed = torch.tensor(new[] { 2.0, 2.0 }).expand(500, 2) + 0.05 * torch.randn([500, 2], dtype: ScalarType.Float64);
        double good = GanDiagnostics.DiversityRatio(healthy, real);
        Assert.InRange(good, 0.9, 1.1);
        Assert.Null(diagnostics.CheckDiversity(good));
        double bad = GanDiagnostics.DiversityRatio(collapsed, real);
        Assert.True(bad < 0.05, $"ratio {bad}");
        Assert.Equal("mode-collapse-diversity", diagnostics.CheckDiversity(bad)?.Kind);
        Assert.Equal(Math.Sqrt(2), GanDiagnostics.MeanPairwiseDistance(torch.tensor(new[,] { { 0.0, 0.0 }, { 1.0, 1.0 } })), 12);
    }

    [Fact]
    public void Class_histograms_dominated_by_one_class_or_with_low_entropy_are_flagged()
    {
        var diagnostics = new GanDiagnostics();
        Assert.Null(diagnostics.CheckClassHistogram([7, 6, 7, 6, 7, 6, 7, 6, 6, 6], 10));
        Assert.Equal("mode-collapse-classes",
            diagnostics.CheckClassHistogram([40, 3, 3, 3, 3, 3, 3, 3, 2, 1], 10)?.Kind);   // 62% one class
        // No class above half, but only three of ten used: entropy log 3 / log 10 = 0.48.
        Assert.NotNull(diagnostics.CheckClassHistogram([22, 21, 21, 0, 0, 0, 0, 0, 0, 0], 10));
        // Trained on two classes: an even split is healthy even though one class has half.
        Assert.Null(diagnostics.CheckClassHistogram([0, 32, 0, 0, 0, 32, 0, 0, 0, 0], 2));
        Assert.Null(diagnostics.CheckClassHistogram([0, 0, 0], 3));
    }

    [Fact]
    public void Mode_coverage_counts_the_modes_real_data_covers()
    {
        using var scope = torch.NewDisposeScope();
        var centres = ModeCoverage.EightGaussiansCentres();
        double radius = 3 * ModeCoverage.EightGaussiansSigma;
        var real = ModeCoverage.Measure(ToyData.Generate("8gaussians", 4000, 5), centres, radius);
        Assert.Equal(8, real.Covered);
        Assert.InRange(real.WithinRadius, 0.97, 1.0);   // P(r ≤ 3σ) = 1 − e^(−4.5) ≈ 0.989 in 2-D
        var oneMode = ModeCoverage.Measure(centres[2].unsqueeze(0).expand(100, 2)
            + 0.01 * torch.randn([100, 2], dtype: ScalarType.Float64), centres, radius);
        Assert.Equal(1, oneMode.Covered);
        Assert.Equal(100, oneMode.Counts[2]);
        var far = ModeCoverage.Measure(torch.zeros(50, 2), centres, radius);
        Assert.Equal(0, far.Covered);
        Assert.Equal(0.0, far.WithinRadius);
    }
}
