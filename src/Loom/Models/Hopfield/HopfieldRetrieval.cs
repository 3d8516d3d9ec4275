using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hopfield;

/// <summary>The retrieval check of stored patterns: corrupted copies recovered by the classical and the modern network.</summary>
public static class HopfieldRetrieval
{
    /// <summary>
    /// Corrupts every stored pattern with <paramref name="noise"/> (seeded) and retrieves it with the classical network
    /// (asynchronous updates to a fixed point) and the modern one (one update at <paramref name="beta"/>).
    /// </summary>
    public static (RetrievalScore Classical, RetrievalScore Modern) Measure(Tensor patterns, HopfieldRule rule, double beta, double noise,
        long seed)
    {
        using var scope = torch.NewDisposeScope();
        var queries = HopfieldPatterns.Corrupt(patterns.to(ScalarType.Float64), noise, seed);
        using var classical = ClassicalHopfield.Store(patterns, rule);
        var (states, _) = classical.Retrieve(queries, seed);
        using var modern = new ModernHopfield(patterns, beta);
        var updated = modern.Retrieve(queries);
        return (RetrievalScore.Of(states, patterns), RetrievalScore.Of(updated, patterns));
    }
}
