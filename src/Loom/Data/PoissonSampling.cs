using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// Poisson sampling for DP-SGD: at each step every example joins the batch independently with probability q, so batch
/// sizes vary (and may be 0). The draw is a pure function of (seed, step), so a resumed run sees the same batches.
/// </summary>
public static class PoissonSampling
{
    /// <summary>The indices (ascending) of the examples in step <paramref name="step"/>'s batch, as a [k] int64 tensor.</summary>
    public static Tensor Indices(long count, double rate, long seed, long step)
    {
        if (!(rate > 0 && rate <= 1)) throw LoomUsageException.ForOption("SampleRate", $"must be in (0, 1], got {rate}");
        var draws = torch.rand(count, dtype: ScalarType.Float64, generator: Seeding.Generator(seed, $"poisson:{step}"));
        return (draws < rate).nonzero().reshape(-1);
    }
}
