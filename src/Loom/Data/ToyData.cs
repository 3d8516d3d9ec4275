using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// Seeded 2-D toy distributions from the density-estimation literature, generated as batched tensors (float64 [n,2]):
/// two-moons, circles, 8-gaussians, swiss-roll, checkerboard, pinwheel.
/// </summary>
public static class ToyData
{
    public static IReadOnlyList<string> Names { get; } = ["moons", "circles", "8gaussians", "swissroll", "checkerboard", "pinwheel"];

    public static bool IsToy(string name) => Names.Contains(Canonical(name));

    /// <summary>Generates <paramref name="n"/> points. <paramref name="noise"/> is the set's own default when null.</summary>
    public static Tensor Generate(string name, int n, long seed, double? noise = null)
    {
        if (n < 1)
            throw new LoomUsageException($"--points: must be positive, got {n}");
        var g = Seeding.Generator(seed, "toy:" + Canonical(name));
        using var scope = torch.NewDisposeScope();
        Tensor points = Canonical(name) switch
        {
            "moons" => Moons(n, noise ?? 0.05, g),
            "circles" => Circles(n, noise ?? 0.04, g),
            "8gaussians" => EightGaussians(n, noise ?? 0.1, g),
            "swissroll" => SwissRoll(n, noise ?? 0.25, g),
            "checkerboard" => Checkerboard(n, g),
            "pinwheel" => Pinwheel(n, noise ?? 0.3, g),
            _ => throw new LoomUsageException($"--data: '{name}' is not a toy set; toy sets: {string.Join(", ", Names)}"),
        };
        return points.to(ScalarType.Float64).MoveToOuterDisposeScope();
    }

    private static string Canonical(string name) => name.Trim().ToLowerInvariant() switch
    {
        "two-moons" or "twomoons" => "moons",
        "8-gaussians" or "eight-gaussians" => "8gaussians",
        "swiss-roll" => "swissroll",
        var other => other,
    };

    private static Tensor Uniform(int n, Generator g) => torch.rand(n, dtype: ScalarType.Float64, generator: g);

    private static Tensor Normal(long[] shape, Generator g) => torch.randn(shape, dtype: ScalarType.Float64, generator: g);

    /// <summary>Two interleaving half circles (upper one centred at 0, lower one at (1, 0.5)), half the points each.</summary>
    private static Tensor Moons(int n, double noise, Generator g)
    {
        var t = Uniform(n, g) * Math.PI;
        var lower = torch.arange(n).ge(n / 2);
        var x = torch.where(lower, 1 - t.cos(), t.cos());
        var y = torch.where(lower, 0.5 - t.sin(), t.sin());
        return torch.stack([x, y], 1) + noise * Normal([n, 2], g);
    }

    /// <summary>Two concentric circles of radius 1 and 0.5.</summary>
    private static Tensor Circles(int n, double noise, Generator g)
    {
        var angle = Uniform(n, g) * 2 * Math.PI;
        var radius = torch.where(torch.arange(n).ge(n / 2), 0.5, 1.0).to(ScalarType.Float64);
        return torch.stack([radius * angle.cos(), radius * angle.sin()], 1) + noise * Normal([n, 2], g);
    }

    /// <summary>Eight Gaussians with centres evenly spaced on a circle of radius 2.</summary>
    private static Tensor EightGaussians(int n, double noise, Generator g)
    {
        var which = torch.randint(8, [n], generator: g).to(ScalarType.Float64);
        var angle = which * (Math.PI / 4);
        var centres = torch.stack([angle.cos(), angle.sin()], 1) * 2;
        return centres + noise * Normal([n, 2], g);
    }

    /// <summary>A 2-D Swiss roll: radius grows with the angle, scaled to about [-3, 3].</summary>
    private static Tensor SwissRoll(int n, double noise, Generator g)
    {
        var t = 1.5 * Math.PI * (1 + 2 * Uniform(n, g));
        var points = torch.stack([t * t.cos(), t * t.sin()], 1) + noise * Normal([n, 2], g);
        return points / 4.5;
    }

    /// <summary>Uniform on the dark squares of a 4×4 checkerboard on [-4, 4]².</summary>
    private static Tensor Checkerboard(int n, Generator g)
    {
        var x1 = Uniform(n, g) * 4 - 2;
        var column = torch.randint(2, [n], generator: g).to(ScalarType.Float64) * 2;
        var x2 = Uniform(n, g) - column + x1.floor().remainder(2);
        return torch.stack([x1, x2], 1) * 2;
    }

    /// <summary>Five spiral arms: Gaussian blobs stretched radially then rotated by an angle that grows with the radius.</summary>
    private static Tensor Pinwheel(int n, double radialStd, Generator g)
    {
        const int arms = 5;
        const double tangentialStd = 0.1, rate = 0.25;
        var arm = torch.randint(arms, [n], generator: g).to(ScalarType.Float64);
        var z = Normal([n, 2], g) * torch.tensor(new[] { radialStd, tangentialStd }, ScalarType.Float64);
        var px = z[.., 0] + 1;
        var py = z[.., 1];
        var angle = arm * (2 * Math.PI / arms) + rate * px.exp();
        var x = angle.cos() * px - angle.sin() * py;
        var y = angle.sin() * px + angle.cos() * py;
        return torch.stack([x, y], 1) * 2;
    }
}
