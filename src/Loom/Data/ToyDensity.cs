using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// The exact log-density of the <see cref="ToyData"/> sets whose density has a closed form, for comparing a model's
/// held-out NLL with the data's own (the best any model can do):
/// <list type="bullet">
/// <item><c>8gaussians</c>: the equal mixture of eight isotropic Gaussians N(c_k, σ²I), c_k = 2√2·(cos kπ/4, sin kπ/4).</item>
/// <item><c>checkerboard</c>: uniform on the eight 2×2 cells (total area 32), density 1/32 inside and 0 (log −∞)
/// outside; with jitter σ &gt; 0 the uniform convolved with N(0, σ²I), a sum of erf products per cell.</item>
/// </list>
/// </summary>
public static class ToyDensity
{
    /// <summary>Whether <paramref name="name"/> has an exact density here.</summary>
    public static bool IsExact(string name) =>
        ToyData.TryCanonicalName(name, out var canonical) && canonical is "8gaussians" or "checkerboard";

    /// <summary>log p(x) in nats for points [n, 2] (float64 [n]); <paramref name="noise"/> as <see cref="ToyData.Generate"/>
    /// takes it.</summary>
    public static Tensor LogProb(string name, Tensor points, double? noise = null)
    {
        if (!ToyData.TryCanonicalName(name, out var canonical) || !IsExact(canonical))
            throw LoomUsageException.ForOption("Data", $"'{name}' has no exact density; 8gaussians and checkerboard do");
        if (points.dim() != 2 || points.shape[1] != 2)
            throw new LoomDataException($"toy densities take points [n, 2], got [{string.Join(", ", points.shape)}]");
        double sigma = noise ?? ToyData.DefaultNoise(canonical);
        using var scope = torch.NewDisposeScope();
        var x = points.to(ScalarType.Float64);
        var result = canonical == "8gaussians" ? EightGaussians(x, sigma) : Checkerboard(x, sigma);
        return result.MoveToOuterDisposeScope();
    }

    private static Tensor EightGaussians(Tensor x, double sigma)
    {
        var angle = torch.arange(8, dtype: ScalarType.Float64) * (Math.PI / 4);
        var centres = torch.stack([angle.cos(), angle.sin()], 1) * (2 * Math.Sqrt(2)); // [8, 2]
        var squared = (x.unsqueeze(1) - centres.unsqueeze(0)).pow(2).sum(2);           // [n, 8]
        return (-squared / (2 * sigma * sigma)).logsumexp(1) - Math.Log(2 * Math.PI * sigma * sigma) - Math.Log(8);
    }

    /// <summary>The lower-left corners of the eight cells: ⌊x/2⌋ + ⌊y/2⌋ even on [−4, 4)².</summary>
    private static Tensor CellCorners()
    {
        var corners = new List<double>();
        for (int i = -2; i < 2; i++)
            for (int j = -2; j < 2; j++)
                if ((i + j) % 2 == 0) corners.AddRange([2.0 * i, 2.0 * j]);
        return torch.tensor(corners.ToArray(), ScalarType.Float64).reshape(8, 2);
    }

    private static Tensor Checkerboard(Tensor x, double sigma)
    {
        var low = CellCorners().unsqueeze(0);   // [1, 8, 2]
        var p = x.unsqueeze(1);                  // [n, 1, 2]
        if (sigma == 0)
        {
            var inside = (p >= low).logical_and(p < low + 2).all(2).any(1);
            return torch.where(inside, torch.full_like(inside, -Math.Log(32), dtype: ScalarType.Float64),
                torch.full_like(inside, double.NegativeInfinity, dtype: ScalarType.Float64));
        }
        // P(cell side contains x − noise) per axis: Φ((x − a)/σ) − Φ((x − a − 2)/σ), as erf differences.
        double scale = 1 / (sigma * Math.Sqrt(2));
        var mass = 0.5 * (torch.erf((p - low) * scale) - torch.erf((p - low - 2) * scale));
        return (mass.prod(2).sum(1) / 32).log();
    }
}
