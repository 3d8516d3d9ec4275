using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Min-p filtering: keeps tokens whose probability is at least <c>minP</c> times the row's highest probability.
/// Matches Hugging Face's <c>MinPLogitsWarper</c>, including that the <c>minTokensToKeep</c> best tokens always stay.
/// </summary>
public sealed class MinPProcessor : ILogitsProcessor
{
    /// <param name="minP">In [0, 1]; 0 keeps every token, 1 keeps only the most probable (and its ties).</param>
    /// <param name="minTokensToKeep">At least 1.</param>
    public MinPProcessor(double minP, int minTokensToKeep = 1)
    {
        if (!(minP >= 0 && minP <= 1))
            throw new LoomUsageException($"min-p must be in [0, 1] (got {minP})");
        DecodingChecks.RequireMinTokens(minTokensToKeep);
        MinP = minP;
        MinTokensToKeep = minTokensToKeep;
    }

    public double MinP { get; }
    public int MinTokensToKeep { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        using var scope = torch.NewDisposeScope();
        var probs = scores.softmax(-1);
        var threshold = probs.amax(new long[] { -1 }, keepdim: true).mul(MinP);
        var below = probs.lt(threshold);
        var order = scores.argsort(dim: -1, descending: true);
        var removeSorted = below.gather(1, order)
            .logical_and(DecodingChecks.Removable(scores.shape[1], MinTokensToKeep, keepAtEnd: false, scores.device));
        var remove = removeSorted.scatter(1, order, removeSorted);
        return scores.masked_fill(remove, double.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
