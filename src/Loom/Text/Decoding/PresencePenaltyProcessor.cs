using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// OpenAI's presence penalty: subtracts <c>penalty</c> once from the score of every token that occurs in the row from
/// position <c>startPosition</c> on (OpenAI counts the generated tokens only: pass the prompt length).
/// Positive values push towards new tokens; negative values towards ones already used.
/// </summary>
public sealed class PresencePenaltyProcessor : ILogitsProcessor
{
    /// <param name="penalty">Any finite number (OpenAI accepts −2 to 2).</param>
    /// <param name="startPosition">First position of <c>inputIds</c> that counts; 0 counts the prompt too.</param>
    /// <param name="padTokenId">Positions holding this id are not counted.</param>
    public PresencePenaltyProcessor(double penalty, int startPosition = 0, int? padTokenId = null)
    {
        DecodingChecks.RequireFinite(penalty, "presence penalty");
        DecodingChecks.RequireStartPosition(startPosition);
        Penalty = penalty;
        StartPosition = startPosition;
        PadTokenId = padTokenId;
    }

    public double Penalty { get; }
    public int StartPosition { get; }
    public int? PadTokenId { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        using var scope = torch.NewDisposeScope();
        var present = DecodingChecks.TokenCounts(inputIds, scores, PadTokenId, StartPosition).gt(0).to(scores.dtype);
        return scores.sub(present.mul(Penalty)).MoveToOuterDisposeScope();
    }
}
