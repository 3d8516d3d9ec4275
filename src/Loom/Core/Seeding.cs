using TorchSharp;

namespace Loom.Core;

/// <summary>
/// One seed drives every random number generator Loom uses: libtorch's global generators (CPU and CUDA),
/// and the .NET <see cref="Random"/> instances Loom hands out (shuffling, initialisation choices).
/// On CPU a run with the same seed, data and options is bit-for-bit repeatable.
/// </summary>
public static class Seeding
{
    public static void SeedEverything(long seed)
    {
        torch.manual_seed(seed);
        if (TorchRuntime.CudaAvailable)
            torch.cuda.manual_seed_all(seed);
    }

    /// <summary>A torch generator for <paramref name="device"/> derived from <paramref name="seed"/> and a purpose string,
    /// so independent streams (init, shuffling, sampling) do not share draws.</summary>
    public static torch.Generator Generator(long seed, string purpose = "", torch.Device? device = null)
    {
        var g = new torch.Generator((ulong)Derive(seed, purpose), device ?? torch.CPU);
        return g;
    }

    /// <summary>A .NET RNG derived from <paramref name="seed"/> and a purpose string.</summary>
    public static Random DotnetRandom(long seed, string purpose = "") => new((int)(Derive(seed, purpose) & 0x7fffffff));

    /// <summary>Deterministic 63-bit mix of a seed and a purpose (FNV-1a over the purpose, then splitmix64).</summary>
    public static long Derive(long seed, string purpose)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in purpose)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        ulong z = unchecked((ulong)seed + h + 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (long)(z & 0x7fffffffffffffffUL);
    }
}
