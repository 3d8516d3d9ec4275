using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>How generated points spread over the known modes of a mixture.</summary>
/// <param name="Covered">Modes that are the nearest mode of at least <c>minShare</c> of the samples lying within the radius.</param>
/// <param name="Modes">Number of modes.</param>
/// <param name="WithinRadius">Fraction of samples within the radius of their nearest mode ("high-quality" samples).</param>
/// <param name="Counts">Per mode: samples whose nearest mode it is and that lie within the radius.</param>
public sealed record ModeCoverageResult(int Covered, int Modes, double WithinRadius, IReadOnlyList<long> Counts);

/// <summary>
/// The mode-coverage measure of the GAN literature for mixtures of Gaussians: assign each sample to its nearest mode
/// centre; a mode is covered when at least <c>minShare</c> of all samples are assigned to it and lie within
/// <c>radius</c> (3σ) of it.
/// </summary>
public static class ModeCoverage
{
    /// <summary>Centres of <see cref="ToyData"/>'s 8gaussians: radius 2√2, angles kπ/4 ([8, 2] float64).</summary>
    public static Tensor EightGaussiansCentres()
    {
        double r = 2 * Math.Sqrt(2);
        var values =
            Enumerable.Range(0, 8).SelectMany(k => new[] { r * Math.Cos(k * Math.PI / 4), r * Math.Sin(k * Math.PI / 4) }).ToArray();
        return torch.tensor(values, [8, 2], ScalarType.Float64);
    }

    /// <summary>The standard deviation of each of 8gaussians' components (ToyData's default noise).</summary>
    public static double EightGaussiansSigma => ToyData.DefaultNoise("8gaussians");

    public static ModeCoverageResult Measure(Tensor samples, Tensor centres, double radius, double minShare = 0.01)
    {
        if (samples.dim() != 2 || centres.dim() != 2 || samples.shape[1] != centres.shape[1])
            throw new LoomDataException($"mode coverage: samples [{string.Join(", ", samples.shape)}] and centres "
                + $"[{string.Join(", ", centres.shape)}] must be [n, d] and [k, d]");
        using var scope = torch.NewDisposeScope();
        var x = samples.to(ScalarType.Float64).cpu();
        var distances = torch.cdist(x, centres.to(ScalarType.Float64).cpu());
        var (nearest, index) = distances.min(1);
        var within = nearest <= radius;
        long n = x.shape[0];
        int modes = (int)centres.shape[0];
        var counts = torch.bincount(index.masked_select(within), minlength: modes).data<long>().ToArray();
        int covered = counts.Count(c => c >= minShare * n);
        double fraction = within.to(ScalarType.Float64).mean().ToDouble();
        return new ModeCoverageResult(covered, modes, fraction, counts);
    }
}
