using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// The CTRL repetition penalty (Keskar et al., 2019), as Hugging Face's <c>RepetitionPenaltyLogitsProcessor</c>:
/// for every token that occurs anywhere in a row's <c>inputIds</c>, a negative score is multiplied by the penalty and
/// any other score divided by it, once however often the token occurs. A penalty above 1 discourages repetition.
/// </summary>
public sealed class RepetitionPenaltyProcessor : ILogitsProcessor
{
    /// <param name="penalty">Strictly positive; 1 changes nothing.</param>
    /// <param name="padTokenId">Positions holding this id (left padding) are not counted as history.</param>
    public RepetitionPenaltyProcessor(double penalty, int? padTokenId = null)
    {
        if (!(penalty > 0) || !double.IsFinite(penalty))
            throw new LoomUsageException($"repetition penalty must be a finite number > 0 (got {penalty})");
        Penalty = penalty;
        PadTokenId = padTokenId;
    }

    public double Penalty { get; }
    public int? PadTokenId { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        using var scope = torch.NewDisposeScope();
        var seen = DecodingChecks.TokenCounts(inputIds, scores, PadTokenId).gt(0);
        var penalized = torch.where(scores.lt(0), scores.mul(Penalty), scores.div(Penalty));
        return torch.where(seen, penalized, scores).MoveToOuterDisposeScope();
    }
}
