using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Core;

/// <summary>
/// Whether a tensor holds only finite values, checked with two reductions (its maximum and minimum, which NaN
/// propagates through) instead of <c>isfinite</c>, whose float and bool temporaries of the tensor's size made loading a
/// 1 GB checkpoint peak 0.3 GB higher.
/// </summary>
public static class FiniteValues
{
    /// <summary>True when every element is finite (integer and empty tensors always are).</summary>
    public static bool All(Tensor tensor)
    {
        if (!tensor.is_floating_point() || tensor.numel() == 0)
            return true;
        using var highest = tensor.max();
        using var lowest = tensor.min();
        return double.IsFinite(highest.ToDouble()) && double.IsFinite(lowest.ToDouble());
    }
}
