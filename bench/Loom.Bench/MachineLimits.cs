using System.Diagnostics;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// What this machine can do, measured by the bench itself so each result can be set against it: float32 matmul
/// throughput (square products through libtorch at its current thread count, best of several) for compute-bound work,
/// and read bandwidth (a libtorch sum over a buffer far larger than the caches) for memory-bound work such as decoding
/// at batch 1. Both are the best of <c>repeats</c> timings: a limit, not a typical value. The matmul peak is also measured
/// in bfloat16, for work trained in it (<c>TrainingPrecision</c>).
/// </summary>
public static class MachineLimits
{
    /// <summary>The best GFLOP/s of square matrix products of 1024, 2048 and 4096 in <paramref name="dtype"/> (a 1024²
    /// product alone can stay below what larger GEMMs and convolutions reach).</summary>
    public static double MatmulGflops(ScalarType dtype = ScalarType.Float32) =>
        Math.Max(MatmulGflops(1024, 10, dtype), Math.Max(MatmulGflops(2048, 5, dtype), MatmulGflops(4096, 3, dtype)));

    /// <summary>GFLOP/s of an <paramref name="n"/> x <paramref name="n"/> matrix product (2n³ flops) in
    /// <paramref name="dtype"/>.</summary>
    public static double MatmulGflops(int n, int repeats, ScalarType dtype = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        using var g = new TorchSharp.torch.Generator(0);
        var a = randn(new long[] { n, n }, generator: g).to(dtype);
        var b = randn(new long[] { n, n }, generator: g).to(dtype);
        mm(a, b).Dispose();
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            using var c = mm(a, b);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /// <summary>Read bandwidth in GB/s (1e9 bytes): bytes of a float32 buffer of <paramref name="megabytes"/> MB over the time of
    /// summing it.</summary>
    public static double ReadBandwidthGBs(int megabytes = 512, int repeats = 10)
    {
        using var scope = NewDisposeScope();
        long count = megabytes * 1024L * 1024 / 4;
        var buffer = ones(count);
        buffer.sum().Dispose();
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            using var s = buffer.sum();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return count * 4.0 / best / 1e9;
    }
}
