using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Nucleus filtering: keeps the smallest set of most probable tokens whose probabilities add up to at least <c>p</c>
/// and removes the rest. Matches Hugging Face's <c>TopPLogitsWarper</c>: in ascending order of score, a token is removed
/// while the cumulative probability up to and including it is ≤ 1 − p; the <c>minTokensToKeep</c> best always stay.
/// </summary>
public sealed class TopPProcessor : ILogitsProcessor
{
    /// <param name="p">In (0, 1]; 1 keeps every token.</param>
    /// <param name="minTokensToKeep">At least 1.</param>
    public TopPProcessor(double p, int minTokensToKeep = 1)
    {
        if (!(p > 0 && p <= 1))
            throw new LoomUsageException($"top-p must be in (0, 1] (got {p})");
        DecodingChecks.RequireMinTokens(minTokensToKeep);
        P = p;
        MinTokensToKeep = minTokensToKeep;
    }

    public double P { get; }
    public int MinTokensToKeep { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        using var scope = torch.NewDisposeScope();
        long vocab = scores.shape[1];
        var (sorted, order) = scores.sort(dim: -1, descending: false);
        var cumulative = sorted.softmax(-1).cumsum(-1);
        var removeSorted =
            cumulative.le(1 - P).logical_and(DecodingChecks.Removable(vocab, MinTokensToKeep, keepAtEnd: true, scores.device));
        var remove = removeSorted.scatter(1, order, removeSorted);
        return scores.masked_fill(remove, double.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
