using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Mcmc;

/// <summary>Built-in targets for <c>loom mcmc</c> and for tests (their moments are known).</summary>
public static class McmcTargets
{
    public static IReadOnlyList<string> Names { get; } = ["gaussian2d", "banana", "mixture1d", "ising"];

    public static McmcTarget Get(string name) => name.Trim().ToLowerInvariant() switch
    {
        "gaussian2d" => CorrelatedGaussian(),
        "banana" => Banana(),
        "mixture1d" => Mixture1D(),
        "ising" => Ising(3, 0.4),
        _ => throw LoomUsageException.ForOption("Target", $"'{name}' is not a built-in target; use {string.Join(", ", Names)}"),
    };

    /// <summary>Mean (1, −1), variances 1 and 2, correlation 0.8.</summary>
    public static McmcTarget CorrelatedGaussian()
    {
        var mean = new[] { 1.0, -1.0 };
        double s1 = 1, s2 = Math.Sqrt(2), rho = 0.8;
        var cov = new[,] { { s1 * s1, rho * s1 * s2 }, { rho * s1 * s2, s2 * s2 } };
        double det = cov[0, 0] * cov[1, 1] - cov[0, 1] * cov[1, 0];
        var precision = new[] { cov[1, 1] / det, -cov[0, 1] / det, -cov[1, 0] / det, cov[0, 0] / det };
        return new McmcTarget
        {
            Name = "gaussian2d",
            Dimensions = 2,
            Start = [0, 0],
            LogDensity = x =>
            {
                var p = torch.tensor(precision, [2, 2], x.dtype, x.device);
                var diff = x - torch.tensor(mean, x.dtype, x.device);
                return -0.5 * (diff.matmul(p) * diff).sum(1);
            },
        };
    }

    /// <summary>A banana-shaped density: x1 ~ N(0, 2²), x2 | x1 ~ N(0.25·x1², 1).</summary>
    public static McmcTarget Banana() => new()
    {
        Name = "banana",
        Dimensions = 2,
        Start = [0, 0],
        LogDensity = x =>
        {
            var x1 = x[.., 0];
            var x2 = x[.., 1];
            return -0.5 * (x1 * x1 / 4) - 0.5 * (x2 - 0.25 * x1 * x1).square();
        },
    };

    /// <summary>0.3·N(−2, 0.5²) + 0.7·N(2, 0.5²): mean 0.8.</summary>
    public static McmcTarget Mixture1D() => new()
    {
        Name = "mixture1d",
        Dimensions = 1,
        Start = [0],
        LogDensity = x =>
        {
            var v = x[.., 0];
            var a = Math.Log(0.3) - 0.5 * ((v + 2) / 0.5).square();
            var b = Math.Log(0.7) - 0.5 * ((v - 2) / 0.5).square();
            return torch.logaddexp(a, b);
        },
    };

    /// <summary>An Ising model on a side×side grid (free boundary) with coupling J, spins ±1 stored as categories 0/1.</summary>
    public static McmcTarget Ising(int side, double coupling)
    {
        int n = side * side;
        var neighbours = Enumerable.Range(0, n).Select(i =>
        {
            int r = i / side, c = i % side;
            var list = new List<long>();
            if (r > 0) list.Add(i - side);
            if (r < side - 1) list.Add(i + side);
            if (c > 0) list.Add(i - 1);
            if (c < side - 1) list.Add(i + 1);
            return list.ToArray();
        }).ToArray();
        return new McmcTarget
        {
            Name = "ising",
            Dimensions = n,
            Categories = 2,
            ConditionalLogits = (state, i) =>
            {
                var spins = state.index_select(1, torch.tensor(neighbours[i])).to(ScalarType.Float64) * 2 - 1; // [chains, deg]
                var field = coupling * spins.sum(1); // log p(s_i = +1) − log p(s_i = −1) = 2·J·Σ neighbours
                return torch.stack([-field, field], 1);
            },
        };
    }
}
