using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Locally typical sampling (Meister et al., 2022): ranks tokens by how close their surprisal −log p is to the
/// row's entropy H, and keeps the closest ones until their probabilities add up to <c>mass</c>.
/// Matches Hugging Face's <c>TypicalLogitsWarper</c>: with tokens sorted by |−log p − H|, the cut-off is the first
/// position whose cumulative probability reaches <c>mass</c> (capped at the last), every token with a larger distance
/// than the cut-off token is removed, and the <c>minTokensToKeep</c> closest always stay.
/// </summary>
public sealed class TypicalProcessor : ILogitsProcessor
{
    /// <param name="mass">In (0, 1).</param>
    /// <param name="minTokensToKeep">At least 1.</param>
    public TypicalProcessor(double mass, int minTokensToKeep = 1)
    {
        if (!(mass > 0 && mass < 1))
            throw new LoomUsageException($"typical-p mass must be in (0, 1) (got {mass})");
        DecodingChecks.RequireMinTokens(minTokensToKeep);
        Mass = mass;
        MinTokensToKeep = minTokensToKeep;
    }

    public double Mass { get; }
    public int MinTokensToKeep { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        using var scope = torch.NewDisposeScope();
        long vocab = scores.shape[1];
        var logp = scores.log_softmax(-1);
        var p = logp.exp();
        // p·log p with 0·(−∞) taken as 0, as for removed tokens.
        var entropy = torch.where(p.gt(0), logp.mul(p), torch.zeros_like(p)).sum(-1, keepdim: true).neg();
        var distance = logp.neg().sub(entropy).abs();
        var (sortedDistance, order) = distance.sort(dim: -1, descending: false);
        var cumulative = scores.gather(1, order).softmax(-1).cumsum(-1);
        var last = cumulative.lt(Mass).sum(-1, type: ScalarType.Int64).clamp_max(vocab - 1).view(-1, 1);
        var removeSorted = sortedDistance.gt(sortedDistance.gather(1, last))
            .logical_and(DecodingChecks.Removable(vocab, MinTokensToKeep, keepAtEnd: false, scores.device));
        var remove = removeSorted.scatter(1, order, removeSorted);
        return scores.masked_fill(remove, double.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
