using System.Globalization;

namespace Loom.Bench;

/// <summary>One line of the summary table: what was measured, Loom's figure, the peer's (or a dash), Loom's time over the
/// peer's (below 1 means Loom is faster; null without a peer) and, where meaningful, the share of the machine's limit.</summary>
public sealed record BenchRow(string Benchmark, string Loom, string Peer, double? LoomOverPeerTime, string MachineLimit);

/// <summary>
/// The rows benchmarks report as they finish, printed as one markdown table: by <c>all</c> after every benchmark has
/// run, and by any single benchmark that reported rows. The machine's limits (<see cref="MachineLimits"/>) are measured
/// once per process, on first use.
/// </summary>
public static class BenchTable
{
    private static readonly List<BenchRow> Rows = new();
    private static readonly Lazy<(double Gflops, double BandwidthGBs)> Limits =
        new(() => (MachineLimits.MatmulGflops(), MachineLimits.ReadBandwidthGBs()));

    public static IReadOnlyList<BenchRow> Reported => Rows;

    public static void Add(BenchRow row) => Rows.Add(row);

    /// <summary>Float32 matmul GFLOP/s of this machine at the current libtorch thread count.</summary>
    public static double MatmulGflops => Limits.Value.Gflops;

    private static readonly Lazy<double> BfloatGflops = new(() => MachineLimits.MatmulGflops(TorchSharp.torch.ScalarType.BFloat16));

    /// <summary>bfloat16 matmul GFLOP/s of this machine at the current libtorch thread count (measured on first use).</summary>
    public static double BfloatMatmulGflops => BfloatGflops.Value;

    /// <summary>Read bandwidth of this machine in GB/s.</summary>
    public static double ReadBandwidthGBs => Limits.Value.BandwidthGBs;

    /// <summary>"x% of the matmul peak (y GFLOP/s)" for work that achieved <paramref name="gflops"/>.</summary>
    public static string OfMatmulPeak(double gflops) =>
        Format($"{gflops:F1} GFLOP/s = {100 * gflops / MatmulGflops:F0}% of matmul peak {MatmulGflops:F1}");

    /// <summary>As <see cref="OfMatmulPeak"/> for work computed in bfloat16, against the bfloat16 matmul peak (and the float32
    /// one beside it).</summary>
    public static string OfBfloatMatmulPeak(double gflops) =>
        Format($"{gflops:F1} GFLOP/s = {100 * gflops / BfloatMatmulGflops:F0}% of the bfloat16 matmul peak {BfloatMatmulGflops:F1}")
            + Format($" ({100 * gflops / MatmulGflops:F0}% of the float32 one)");

    /// <summary>"x% of the bandwidth bound" for a decode that reads <paramref name="bytesPerToken"/> at
    /// <paramref name="tokensPerSecond"/>.</summary>
    public static string OfBandwidthBound(double tokensPerSecond, double bytesPerToken)
    {
        double bound = ReadBandwidthGBs * 1e9 / bytesPerToken;
        return Format($"{100 * tokensPerSecond / bound:F0}% of the weight-read bound {bound:F0} tokens/s ({ReadBandwidthGBs:F1} GB/s)");
    }

    public static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes the reported rows as a markdown table (nothing when none were reported).</summary>
    public static void Print(TextWriter writer)
    {
        if (Rows.Count == 0)
            return;
        writer.WriteLine();
        writer.WriteLine("| benchmark | Loom | peer | Loom time / peer time | machine limit |");
        writer.WriteLine("|---|---|---|---|---|");
        foreach (var r in Rows)
        {
            var ratio = r.LoomOverPeerTime is double x ? Format($"{x:F2}") : "—";
            writer.WriteLine($"| {r.Benchmark} | {r.Loom} | {r.Peer} | {ratio} | {r.MachineLimit} |");
        }
    }
}
