using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Keeps the <c>k</c> highest-scoring tokens of each row (more when scores tie with the k-th) and removes the rest.
/// Matches Hugging Face's <c>TopKLogitsWarper</c>: the effective k is max(k, minTokensToKeep), capped at the vocabulary.
/// </summary>
public sealed class TopKProcessor : ILogitsProcessor
{
    /// <param name="k">At least 1.</param>
    /// <param name="minTokensToKeep">At least 1.</param>
    public TopKProcessor(int k, int minTokensToKeep = 1)
    {
        if (k < 1)
            throw new LoomUsageException($"top-k must be at least 1 (got {k})");
        DecodingChecks.RequireMinTokens(minTokensToKeep);
        K = k;
        MinTokensToKeep = minTokensToKeep;
    }

    public int K { get; }
    public int MinTokensToKeep { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        using var scope = torch.NewDisposeScope();
        int k = (int)Math.Min(Math.Max(K, MinTokensToKeep), scores.shape[1]);
        var kth = scores.topk(k, dim: -1).values.narrow(1, k - 1, 1);
        return scores.masked_fill(scores.lt(kth), double.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
