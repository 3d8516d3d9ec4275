using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Distribution;

/// <summary>
/// Exact Euclidean k-nearest-neighbour queries in float64, computed in row chunks so 10,000 × 60,000 distance
/// matrices never sit in memory at once.
/// </summary>
public static class NearestNeighbours
{
    private const long ChunkElements = 8_000_000;

    /// <summary>Distance from each row of <paramref name="x"/> to its k-th nearest other row of <paramref name="x"/> ([n]).</summary>
    public static Tensor KthNeighbourDistance(Tensor x, int k)
    {
        if (k < 1 || k >= x.shape[0])
            throw new Core.LoomDataException($"k-NN radius with k={k} needs more than {k} samples, got {x.shape[0]}");
        var parts = new List<Tensor>();
        foreach (var (start, distances) in Chunks(x, x))
        {
            using var d = distances;
            // The k+1 smallest include the row itself at distance 0.
            parts.Add(d.topk(k + 1, dim: 1, largest: false).values[.., k].clone());
        }
        return ConcatAndDispose(parts);
    }

    /// <summary>Distance to and index of the nearest row of <paramref name="reference"/> for each row of
    /// <paramref name="query"/>, computed in <paramref name="precision"/> (float64 unless asked; float32 halves the time and is
    /// exact enough to find near-copies).</summary>
    public static (Tensor Distances, Tensor Indices) Nearest(Tensor query, Tensor reference, ScalarType precision = ScalarType.Float64)
    {
        var distances = new List<Tensor>();
        var indices = new List<Tensor>();
        foreach (var (_, d) in Chunks(query, reference, precision))
        {
            using (d)
            {
                var (values, index) = d.min(1);
                distances.Add(values);
                indices.Add(index);
            }
        }
        return (ConcatAndDispose(distances), ConcatAndDispose(indices));
    }

    /// <summary>For each query row, how many reference rows i have ‖q − rᵢ‖ ≤ radius[i] ([n] int64).</summary>
    public static Tensor CountWithinRadii(Tensor query, Tensor reference, Tensor radii)
    {
        var counts = new List<Tensor>();
        var r = radii.to(ScalarType.Float64, CPU).unsqueeze(0);
        foreach (var (_, d) in Chunks(query, reference))
        {
            using (d)
                counts.Add(d.le(r).sum([1L]));
        }
        r.Dispose();
        return ConcatAndDispose(counts);
    }

    /// <summary>Euclidean distance blocks [rows, m] between chunks of <paramref name="a"/> and all of <paramref name="b"/>.</summary>
    private static IEnumerable<(long Start, Tensor Distances)> Chunks(Tensor a, Tensor b, ScalarType precision = ScalarType.Float64)
    {
        var x = a.to(precision, CPU);
        var y = b.to(precision, CPU);
        try
        {
            long rows = Math.Max(1, ChunkElements / Math.Max(1, y.shape[0]));
            var yNorm = y.pow(2).sum([1L]).unsqueeze(0);
            for (long start = 0; start < x.shape[0]; start += rows)
            {
                // The scope closes before the yield: a dispose scope left open across a yield would capture the caller's tensors.
                Tensor block;
                using (var scope = torch.NewDisposeScope())
                {
                    var xc = x.narrow(0, start, Math.Min(rows, x.shape[0] - start));
                    var sq = xc.pow(2).sum([1L], keepdim: true) + yNorm - 2 * xc.matmul(y.t());
                    block = sq.clamp_min(0).sqrt().MoveToOuterDisposeScope();
                }
                yield return (start, block);
            }
            yNorm.Dispose();
        }
        finally
        {
            if (!ReferenceEquals(x, a)) x.Dispose();
            if (!ReferenceEquals(y, b)) y.Dispose();
        }
    }

    private static Tensor ConcatAndDispose(List<Tensor> parts)
    {
        var all = torch.cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }
}
