using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hopfield;

/// <summary>How well retrieval recovered the patterns: the fraction recovered exactly and the mean overlap m = sᵀξ / N.</summary>
public sealed record RetrievalScore(double ExactFraction, double MeanOverlap)
{
    /// <summary>Scores retrieved <paramref name="states"/> (signs taken) against the <paramref name="targets"/> [n, N] (±1).</summary>
    public static RetrievalScore Of(Tensor states, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        var s = states.to(ScalarType.Float64).sign();
        var t = targets.to(ScalarType.Float64);
        var overlap = (s * t).mean([1]);
        return new RetrievalScore(s.eq(t).all(1).to(ScalarType.Float64).mean().ToDouble(), overlap.mean().ToDouble());
    }
}
