using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// Seeded 2-D toy distributions from the density-estimation literature, generated as one batched tensor [n, 2].
/// Each set has its own meaning of <c>noise</c> (its default in brackets):
/// <list type="bullet">
/// <item><c>moons</c>: two interleaved half circles of radius 1, centres (0,0) and (1,0.5) flipped, mapped by
/// x ↦ 2x + (−1, −0.2); noise = std of Gaussian jitter before the ×2 map [0.1].</item>
/// <item><c>circles</c>: two concentric circles of radius 3 and 1.5 (half the points each); noise = std of
/// Gaussian jitter before the ×3 map [0.08].</item>
/// <item><c>8gaussians</c>: eight Gaussians centred at radius 2√2 and angles kπ/4; noise = their std [0.5/√2].</item>
/// <item><c>swissroll</c>: the 2-D Swiss roll (t cos t, t sin t)/5 for t uniform in [1.5π, 4.5π]; noise = std of
/// jitter before the /5 map [1.0].</item>
/// <item><c>checkerboard</c>: uniform on the 8 "black" 2×2 cells of a 4×4 board over [−4,4]², those with
/// ⌊x/2⌋+⌊y/2⌋ even; noise = std of optional jitter [0].</item>
/// <item><c>pinwheel</c>: five spiral arms: radius a = 1 + noise·z₁, tangential offset b = (noise/3)·z₂, rotated
/// by 2πk/5 + 0.25·eᵃ and scaled ×2; noise = radial std [0.3].</item>
/// </list>
/// The same name, n, seed and noise give identical tensors; rows are in random order.
/// </summary>
public static class ToyData
{
    /// <summary>The canonical names.</summary>
    public static IReadOnlyList<string> Names { get; } =
        new[] { "moons", "circles", "8gaussians", "swissroll", "checkerboard", "pinwheel" };

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["two-moons"] = "moons", ["twomoons"] = "moons", ["8-gaussians"] = "8gaussians", ["eight-gaussians"] = "8gaussians",
        ["swiss-roll"] = "swissroll", ["swiss_roll"] = "swissroll", ["2spirals"] = "swissroll",
    };

    /// <summary>Maps a name or alias (any case) to its canonical name.</summary>
    public static bool TryCanonicalName(string name, out string canonical)
    {
        var key = name.Trim().ToLowerInvariant();
        if (Aliases.TryGetValue(key, out var alias))
            key = alias;
        canonical = Names.Contains(key) ? key : "";
        return canonical.Length > 0;
    }

    /// <summary>True when <paramref name="name"/> names a toy set (or an alias of one).</summary>
    public static bool IsToy(string name) => TryCanonicalName(name, out _);

    /// <summary>One line describing the set.</summary>
    public static string Describe(string name) => Canonical(name) switch
    {
        "moons" => "Two interleaved half moons (2-D toy)",
        "circles" => "Two concentric circles, radii 3 and 1.5 (2-D toy)",
        "8gaussians" => "Eight Gaussians on a circle of radius 2*sqrt(2) (2-D toy)",
        "swissroll" => "2-D Swiss roll spiral (2-D toy)",
        "checkerboard" => "Uniform on alternate cells of a checkerboard over [-4,4]^2 (2-D toy)",
        _ => "Five-armed pinwheel (2-D toy)",
    };

    /// <summary>The noise used when none is given.</summary>
    public static double DefaultNoise(string name) => Canonical(name) switch
    {
        "moons" => 0.1,
        "circles" => 0.08,
        "8gaussians" => 0.5 / Math.Sqrt(2),
        "swissroll" => 1.0,
        "checkerboard" => 0.0,
        _ => 0.3,
    };

    /// <summary>
    /// The most points a toy set is drawn with: 10^7 points take 160 MB and their temporaries a few hundred more;
    /// 10^8 used 13.9 GB before a run failed.
    /// </summary>
    public const long MaxPoints = 10_000_000;

    /// <summary>Generates <paramref name="n"/> points [n, 2] of the named set on CPU.</summary>
    public static Tensor Generate(string name, long n, long seed, double? noise = null, ScalarType dtype = ScalarType.Float64)
    {
        var canonical = Canonical(name);
        if (n <= 0 || n > MaxPoints)
            throw LoomUsageException.ForOption("Count",
                $"the number of points must be from 1 to {MaxPoints:N0} (toy sets are for small experiments), got {n:N0}");
        double sigma = noise ?? DefaultNoise(canonical);
        if (!double.IsFinite(sigma) || sigma < 0)
            throw LoomUsageException.ForOption("Noise", $"must be a finite number >= 0, got {sigma}");
        if (dtype != ScalarType.Float64 && dtype != ScalarType.Float32)
            throw new LoomUsageException($"toy data is float32 or float64, not {dtype}");
        using var scope = torch.NewDisposeScope();
        using var g = Seeding.Generator(seed, "toy:" + canonical);
        var points = canonical switch
        {
            "moons" => Moons(n, sigma, g),
            "circles" => Circles(n, sigma, g),
            "8gaussians" => EightGaussians(n, sigma, g),
            "swissroll" => SwissRoll(n, sigma, g),
            "checkerboard" => Checkerboard(n, sigma, g),
            _ => Pinwheel(n, sigma, g),
        };
        var shuffled = points.index_select(0, torch.randperm(n, generator: g));
        return shuffled.to(dtype).MoveToOuterDisposeScope();
    }

    private static string Canonical(string name) =>
        TryCanonicalName(name, out var canonical)
            ? canonical
            : throw new LoomUsageException($"'{name}' is not a toy data set; known: {string.Join(", ", Names)}");

    private static Tensor Uniform(long n, Generator g) => torch.rand(new[] { n }, dtype: ScalarType.Float64, generator: g);

    private static Tensor Normal(long n, long d, Generator g) => torch.randn(new[] { n, d }, dtype: ScalarType.Float64, generator: g);

    /// <summary>0 for the first half of the rows, 1 for the rest, as float64 [n].</summary>
    private static Tensor HalfMask(long n) => (torch.arange(n, dtype: ScalarType.Int64) >= (n + 1) / 2).to(ScalarType.Float64);

    private static Tensor Moons(long n, double noise, Generator g)
    {
        var t = Uniform(n, g) * Math.PI;
        var inner = HalfMask(n);
        // outer: (cos t, sin t); inner: (1 - cos t, 0.5 - sin t)
        var x = inner + (1 - 2 * inner) * torch.cos(t);
        var y = 0.5 * inner + (1 - 2 * inner) * torch.sin(t);
        var raw = torch.stack(new[] { x, y }, 1) + noise * Normal(n, 2, g);
        return raw * 2 + torch.tensor(new[] { -1.0, -0.2 }, ScalarType.Float64);
    }

    private static Tensor Circles(long n, double noise, Generator g)
    {
        var t = Uniform(n, g) * (2 * Math.PI);
        var radius = 1 - 0.5 * HalfMask(n);
        var raw = torch.stack(new[] { radius * torch.cos(t), radius * torch.sin(t) }, 1) + noise * Normal(n, 2, g);
        return raw * 3;
    }

    private static Tensor EightGaussians(long n, double noise, Generator g)
    {
        var k = torch.randint(0, 8, new[] { n }, dtype: ScalarType.Int64, generator: g).to(ScalarType.Float64);
        var angle = k * (Math.PI / 4);
        var r = 2 * Math.Sqrt(2);
        var centres = torch.stack(new[] { r * torch.cos(angle), r * torch.sin(angle) }, 1);
        return centres + noise * Normal(n, 2, g);
    }

    private static Tensor SwissRoll(long n, double noise, Generator g)
    {
        var t = 1.5 * Math.PI * (1 + 2 * Uniform(n, g));
        var raw = torch.stack(new[] { t * torch.cos(t), t * torch.sin(t) }, 1) + noise * Normal(n, 2, g);
        return raw / 5;
    }

    private static Tensor Checkerboard(long n, double noise, Generator g)
    {
        // x in [-2, 2); y in [0, 1) or [-2, -1), shifted up by one when floor(x) is odd: floor(x) + floor(y) stays even.
        var x = Uniform(n, g) * 4 - 2;
        var band = torch.randint(0, 2, new[] { n }, dtype: ScalarType.Int64, generator: g).to(ScalarType.Float64);
        var y = Uniform(n, g) - 2 * band + torch.remainder(torch.floor(x), 2);
        var points = torch.stack(new[] { x, y }, 1) * 2;
        return noise > 0 ? points + noise * Normal(n, 2, g) : points;
    }

    private static Tensor Pinwheel(long n, double noise, Generator g)
    {
        const int arms = 5;
        const double rate = 0.25;
        var arm = torch.randint(0, arms, new[] { n }, dtype: ScalarType.Int64, generator: g).to(ScalarType.Float64);
        var z = Normal(n, 2, g);
        var a = 1 + noise * z[.., 0];
        var b = noise / 3 * z[.., 1];
        var angle = arm * (2 * Math.PI / arms) + rate * torch.exp(a);
        var (c, s) = (torch.cos(angle), torch.sin(angle));
        return torch.stack(new[] { a * c - b * s, a * s + b * c }, 1) * 2;
    }
}
