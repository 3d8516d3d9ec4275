using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>One detected training problem: a short kind (printed once per run) and a sentence for the user.</summary>
public sealed record GanWarning(string Kind, string Message);

/// <summary>Thresholds of <see cref="GanDiagnostics"/>.</summary>
public sealed record GanDiagnosticsOptions
{
    /// <summary>A non-saturating or hinge discriminator loss below this counts as collapsed (D wins outright).</summary>
    public double CollapsedLoss { get; init; } = 0.05;
    /// <summary>Collapsed logs in a row before a warning.</summary>
    public int CollapsedLogs { get; init; } = 5;
    /// <summary>A gradient norm above this is exploding.</summary>
    public double MaxGradNorm { get; init; } = 1e4;
    /// <summary>A gradient norm this many times the median of the recent ones is exploding.</summary>
    public double GradGrowth { get; init; } = 100;
    /// <summary>How many recent gradient norms the median is taken over (at least three are needed).</summary>
    public int GradWindow { get; init; } = 20;
    /// <summary>Mode collapse when the samples' mean pairwise distance is below this fraction of the real data's.</summary>
    public double MinDiversity { get; init; } = 0.25;
    /// <summary>Mode collapse when one class takes more than this share of the samples (at least 1.5/k for k classes).</summary>
    public double MaxClassShare { get; init; } = 0.5;
    /// <summary>Mode collapse when the class histogram's entropy is below this fraction of log k.</summary>
    public double MinClassEntropy { get; init; } = 0.5;
}

/// <summary>
/// Failure detectors for GAN training, fed once per log step: the discriminator loss collapsing to ~0 for several
/// logs in a row, exploding gradients (a norm over a threshold, or 100× the recent median), and mode collapse — low
/// sample diversity of a fixed-noise batch relative to real data, or (images of a known data set) a class histogram
/// dominated by one class or of low entropy. Each check returns a warning or null; the caller decides how often to report.
/// </summary>
public sealed class GanDiagnostics(GanDiagnosticsOptions? options = null)
{
    private readonly Dictionary<string, List<double>> gradientHistory = new(StringComparer.Ordinal);
    private int collapsedRun;

    public GanDiagnosticsOptions Options { get; } = options ?? new GanDiagnosticsOptions();

    /// <summary>
    /// Counts consecutive logs whose discriminator loss is ~0; warns when the run reaches <c>CollapsedLogs</c>. Only for
    /// the non-saturating and hinge losses: a Wasserstein critic's loss near 0 is what equilibrium looks like.
    /// </summary>
    public GanWarning? ObserveDiscriminatorLoss(GanLossKind loss, double value)
    {
        if (loss == GanLossKind.Wasserstein || !double.IsFinite(value))
            return null;
        collapsedRun = value < Options.CollapsedLoss ? collapsedRun + 1 : 0;
        return collapsedRun >= Options.CollapsedLogs
            ? new GanWarning("discriminator-collapse",
                $"the discriminator loss has stayed below {Options.CollapsedLoss:G3} for {collapsedRun} logs (now {value:G3}): "
                    + "D separates real from fake perfectly and G gets no useful gradient; try spectral norm, "
                    + "a lower DiscriminatorLearningRate or the hinge / wgan-gp loss")
            : null;
    }

    /// <summary>Checks a network's gradient norm against the absolute threshold and the median of its recent norms.</summary>
    public GanWarning? ObserveGradientNorm(string network, double norm)
    {
        if (!gradientHistory.TryGetValue(network, out var history))
            gradientHistory[network] = history = [];
        GanWarning? warning = null;
        if (!double.IsFinite(norm))
            warning = new GanWarning($"{network}-gradient-explosion",
                $"the {network} gradient norm is not finite; lower its learning rate or turn on gradient clipping");
        else if (norm > Options.MaxGradNorm)
            warning = new GanWarning($"{network}-gradient-explosion", $"the {network} gradient norm is {norm:G3}, above "
                + $"{Options.MaxGradNorm:G3}; lower its learning rate or turn on gradient clipping");
        else if (history.Count >= 3 && norm > Options.GradGrowth * Median(history))
            warning = new GanWarning($"{network}-gradient-explosion",
                $"the {network} gradient norm jumped to {norm:G3}, {norm / Median(history):G3}× its recent median; lower its learning rate "
                    + $"or turn on gradient clipping");
        if (double.IsFinite(norm))
        {
            history.Add(norm);
            if (history.Count > Options.GradWindow) history.RemoveAt(0);
        }
        return warning;
    }

    /// <summary>Mode collapse by diversity: <paramref name="ratio"/> from <see cref="DiversityRatio"/>.</summary>
    public GanWarning? CheckDiversity(double ratio) =>
        double.IsFinite(ratio) && ratio < Options.MinDiversity
            ? new GanWarning("mode-collapse-diversity",
                $"possible mode collapse: the fixed-noise samples' mean pairwise distance is {ratio:P0} of the real data's (below "
                    + $"{Options.MinDiversity:P0})")
            : null;

    /// <summary>
    /// Mode collapse by class: <paramref name="counts"/> are predicted classes of generated samples, of which
    /// <paramref name="classes"/> are expected (the classes the model was trained on).
    /// </summary>
    public GanWarning? CheckClassHistogram(IReadOnlyList<long> counts, int classes)
    {
        long total = counts.Sum();
        if (total == 0 || classes < 2)
            return null;
        double maxShare = (double)counts.Max() / total;
        double entropy = -counts.Where(c => c > 0).Sum(c => (double)c / total * Math.Log((double)c / total)) / Math.Log(classes);
        double shareLimit = Math.Max(Options.MaxClassShare, 1.5 / classes);
        if (maxShare > shareLimit)
            return new GanWarning("mode-collapse-classes",
                $"possible mode collapse: one class takes {maxShare:P0} of the samples (reference classifier; limit {shareLimit:P0})");
        if (entropy < Options.MinClassEntropy)
            return new GanWarning("mode-collapse-classes", $"possible mode collapse: the class histogram of the samples has entropy "
                + $"{entropy:F2} of the maximum (limit {Options.MinClassEntropy:F2})");
        return null;
    }

    /// <summary>Mean pairwise Euclidean distance of <paramref name="samples"/> divided by that of <paramref name="real"/> (rows
    /// flattened).</summary>
    public static double DiversityRatio(Tensor samples, Tensor real)
    {
        using var scope = torch.NewDisposeScope();
        return MeanPairwiseDistance(samples) / MeanPairwiseDistance(real);
    }

    /// <summary>Mean Euclidean distance over all pairs of distinct rows (flattened) of <paramref name="x"/>.</summary>
    public static double MeanPairwiseDistance(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var flat = x.flatten(1).to(ScalarType.Float64).cpu();
        long n = flat.shape[0];
        if (n < 2)
            return double.NaN;
        return torch.cdist(flat, flat).sum().ToDouble() / (n * (n - 1));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
