using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hopfield;

/// <summary>Bipolar (±1) patterns: checks, conversion from 0/1 or gray images, and corruption by flipping bits.</summary>
public static class HopfieldPatterns
{
    /// <summary>Throws unless <paramref name="x"/> is [n, N] with values ±1 (and N = <paramref name="units"/> when given).</summary>
    public static void Check(Tensor x, string what, long? units = null)
    {
        if (x.dim() != 2)
            throw new LoomDataException($"{what}: expected rows [n, N], got shape [{string.Join(", ", x.shape)}]");
        if (units is { } n && x.shape[1] != n)
            throw new LoomDataException($"{what}: has {x.shape[1]} units per row but the network has {n}");
        using var scope = torch.NewDisposeScope();
        if (!x.abs().eq(1).all().ToBoolean())
            throw new LoomDataException($"{what}: Hopfield states must be −1 or +1");
    }

    /// <summary>
    /// Rows of <paramref name="examples"/> (images in [0, 1] or vectors) as ±1: values above <paramref name="threshold"/> are +1.
    /// </summary>
    public static Tensor Bipolar(Tensor examples, double threshold = 0.5)
    {
        using var scope = torch.NewDisposeScope();
        var flat = examples.to(ScalarType.Float64).reshape(examples.shape[0], -1);
        return (flat.gt(threshold).to(ScalarType.Float64) * 2 - 1).MoveToOuterDisposeScope();
    }

    /// <summary>Copies of <paramref name="patterns"/> with each unit flipped with probability <paramref name="noise"/> (seeded).</summary>
    public static Tensor Corrupt(Tensor patterns, double noise, long seed)
    {
        if (noise is < 0 or > 1) throw LoomUsageException.ForOption("Noise", $"must be in [0, 1], got {noise}");
        using var scope = torch.NewDisposeScope();
        using var generator = Seeding.Generator(seed, "hopfield-noise");
        var flips = torch.rand(patterns.shape, dtype: ScalarType.Float64, generator: generator).lt(noise);
        return torch.where(flips, -patterns, patterns).MoveToOuterDisposeScope();
    }

    /// <summary>Random ±1 patterns [count, units] (seeded).</summary>
    public static Tensor Random(int count, int units, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = Seeding.Generator(seed, "hopfield-patterns");
        return (torch.randint(0, 2, [count, units], dtype: ScalarType.Float64, generator: generator) * 2 - 1).MoveToOuterDisposeScope();
    }
}
