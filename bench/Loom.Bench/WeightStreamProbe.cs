using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Loom.Core;
using Loom.Models.Transformer;
using Loom.Models.Transformer.FusedDecode;

namespace Loom.Bench;

/// <summary>
/// How fast the fused decode step's own mat-vec kernel reads a transformer's projection weights when it does nothing
/// else: every layer's four weights once, split across the <see cref="WorkerTeam"/> by blocks of rows as the step splits
/// them. A second ceiling beside <see cref="MachineLimits.ReadBandwidthGBs"/>: the weights (tens of MB) are read over and
/// over, so part of them can stay in the last-level cache, which a 512 MB probe never sees.
/// </summary>
internal sealed unsafe class WeightStreamProbe : ITeamWork
{
    private readonly List<(nint Data, int Rows, int Cols)> weights;
    private readonly float[] x = new float[4096];
    private readonly float[] y;
    private int index;

    public WeightStreamProbe(DecoderTransformer model)
    {
        weights = model.named_parameters()
            .Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal) && p.parameter.dim() == 2
                && p.name.Contains(".h.", StringComparison.Ordinal))
            .Select(p => ((nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(p.parameter.bytes)),
                (int)p.parameter.shape[0], (int)p.parameter.shape[1]))
            .ToList();
        if (weights.Any(w => w.Rows > x.Length || w.Cols > x.Length))
            throw new ArgumentException("projections wider than 4096 are not supported", nameof(model));
        y = new float[WorkerTeam.DefaultSize * x.Length];
        Bytes = weights.Sum(w => (long)w.Rows * w.Cols * 4);
    }

    /// <summary>Bytes of the projection weights read per pass.</summary>
    public long Bytes { get; }

    /// <summary>GB/s (1e9 bytes) of the best of <paramref name="repeats"/> passes over every projection, split across the
    /// worker team as the fused step splits it.</summary>
    public double TeamGBs(int repeats)
    {
        var team = WorkerTeam.Rent();
        try
        {
            return BestGBs(repeats, () => team.Run(this));
        }
        finally
        {
            WorkerTeam.Return(team);
        }
    }

    /// <summary>As <see cref="TeamGBs"/>, every projection read by the calling thread alone.</summary>
    public double OneThreadGBs(int repeats) => BestGBs(repeats, () => Execute(0, 1));

    private double BestGBs(int repeats, Action readOneWeight)
    {
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            for (index = 0; index < weights.Count; index++)
                readOneWeight();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return Bytes / best / 1e9;
    }

    /// <summary>Part <paramref name="part"/> multiplies its contiguous block of rows into its own partial sums.</summary>
    public void Execute(int part, int parts)
    {
        var (data, rows, cols) = weights[index];
        int chunk = (rows + parts - 1) / parts;
        int r0 = Math.Min(rows, part * chunk), r1 = Math.Min(rows, r0 + chunk);
        fixed (float* xp = x, yp = y)
            DecodeKernels.MatVec((float*)data + (long)r0 * cols, r1 - r0, cols, xp + r0, yp + part * x.Length);
    }
}
