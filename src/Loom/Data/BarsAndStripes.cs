using System.Runtime.InteropServices;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// Bars and stripes (MacKay 2003): the n×n binary images whose rows are each all on or all off, or whose columns are.
/// Of the 2ⁿ row patterns and 2ⁿ column patterns, all-off and all-on are both, so there are 2ⁿ⁺¹ − 2 distinct images,
/// and the data distribution is uniform over them: the best possible mean negative log-likelihood is ln(2ⁿ⁺¹ − 2)
/// (4×4: 30 patterns, ln 30 = 3.401 nats). Small enough that a model's likelihood can be computed exactly.
/// The data set is every pattern once, in a fixed order (row patterns by their bit code, then the column patterns
/// that are not also row patterns): the same name always gives the same tensor.
/// Names: <c>bars-stripes</c> (4×4), <c>bars-stripes-N</c> for N from <see cref="MinSize"/> to <see cref="MaxSize"/>;
/// <c>bars-and-stripes</c> and <c>bas</c> are aliases.
/// </summary>
public static class BarsAndStripes
{
    /// <summary>The canonical name of the 4×4 set.</summary>
    public const string Name = "bars-stripes";

    /// <summary>The side of the default set.</summary>
    public const int DefaultSize = 4;

    public const int MinSize = 2;
    public const int MaxSize = 6;

    private static readonly string[] Prefixes = [Name, "bars-and-stripes", "bas"];

    /// <summary>Whether <paramref name="spec"/> names a bars-and-stripes set; <paramref name="size"/> is its side n.</summary>
    /// <exception cref="LoomUsageException">The name has a size suffix out of range.</exception>
    public static bool TryParse(string spec, out int size)
    {
        size = 0;
        var key = spec.Trim().ToLowerInvariant();
        foreach (var prefix in Prefixes)
        {
            if (key == prefix)
            {
                size = DefaultSize;
                return true;
            }
            if (!key.StartsWith(prefix + "-", StringComparison.Ordinal)
                || !int.TryParse(key[(prefix.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture, out int n))
                continue;
            if (n is < MinSize or > MaxSize)
                throw LoomUsageException.ForOption("Data",
                    $"'{spec}': bars and stripes are from {MinSize}×{MinSize} to {MaxSize}×{MaxSize}");
            size = n;
            return true;
        }
        return false;
    }

    /// <summary>2ⁿ⁺¹ − 2, the number of distinct n×n patterns.</summary>
    public static long PatternCount(int size) => (1L << (size + 1)) - 2;

    /// <summary>ln(2ⁿ⁺¹ − 2): the entropy of the uniform data distribution, the best mean NLL a model can reach.</summary>
    public static double OptimalNll(int size) => Math.Log(PatternCount(size));

    /// <summary>Every distinct pattern once, as flattened rows [2ⁿ⁺¹ − 2, n·n] float32 (row-major pixels).</summary>
    public static Tensor Patterns(int size)
    {
        using var scope = torch.NewDisposeScope();
        var codes = torch.arange(1L << size, dtype: ScalarType.Int64);
        var bits = torch.pow(2, torch.arange(size, dtype: ScalarType.Int64));
        var lines = codes.unsqueeze(1).bitwise_and(bits).ne(0).to(ScalarType.Float32);          // [2ⁿ, n]: which lines are on
        var rowImages = lines.unsqueeze(2).expand(-1, size, size);                               // row i all on or off
        var columnImages = rowImages.transpose(1, 2).narrow(0, 1, (1L << size) - 2);             // without all-off and all-on
        return torch.cat([rowImages, columnImages]).reshape(-1, size * size).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Which rows of <paramref name="v"/> [m, n·n] (0/1) are bars-and-stripes patterns. [m] bool.</summary>
    public static Tensor IsPattern(Tensor v, int size)
    {
        using var scope = torch.NewDisposeScope();
        var images = v.reshape(-1, size, size);
        var rowsConstant = images.eq(images.narrow(2, 0, 1)).flatten(1).all(1);
        var columnsConstant = images.eq(images.narrow(1, 0, 1)).flatten(1).all(1);
        return rowsConstant.logical_or(columnsConstant).MoveToOuterDisposeScope();
    }

    /// <summary>Distinct patterns among the rows of <paramref name="v"/> [m, n·n] (0/1) that are valid patterns.</summary>
    public static int DistinctPatterns(Tensor v, int size)
    {
        using var scope = torch.NewDisposeScope();
        var valid = v.index_select(0, IsPattern(v, size).nonzero().reshape(-1));
        if (valid.shape[0] == 0)
            return 0;
        var weights = torch.pow(2, torch.arange(size * size, dtype: ScalarType.Int64));
        var codes = valid.to(ScalarType.Int64).mul(weights).sum(1);
        return (int)torch.unique(codes).Item1.shape[0];
    }

    /// <summary>The data set: every pattern once as [2ⁿ⁺¹ − 2, 1, n, n] images in {0, 1}.</summary>
    public static TrainingData Load(int size)
    {
        using var scope = torch.NewDisposeScope();
        var x = Patterns(size).reshape(-1, 1, size, size).contiguous();
        var hash = FileHash.Sha256(MemoryMarshal.AsBytes(x.data<float>().ToArray().AsSpan()));
        var name = size == DefaultSize ? Name : $"{Name}-{size}";
        var provenance = new DataProvenance($"{name}: all {PatternCount(size)} {size}x{size} bars-and-stripes patterns once", hash,
            x.numel() * 4);
        return new TrainingData(x.MoveToOuterDisposeScope(), null, [1, size, size], true, [], name, provenance);
    }
}
