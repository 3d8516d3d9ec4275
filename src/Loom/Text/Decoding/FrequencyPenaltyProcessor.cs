using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// OpenAI's frequency penalty: subtracts <c>penalty × count(token)</c> from each score, where the count is how often the
/// token occurs in the row from position <c>startPosition</c> on (OpenAI counts the generated tokens only: pass the
/// prompt length). Positive values discourage repetition in proportion to it; negative values encourage it.
/// </summary>
public sealed class FrequencyPenaltyProcessor : ILogitsProcessor
{
    /// <param name="penalty">Any finite number (OpenAI accepts −2 to 2).</param>
    /// <param name="startPosition">First position of <c>inputIds</c> that counts; 0 counts the prompt too.</param>
    /// <param name="padTokenId">Positions holding this id are not counted.</param>
    public FrequencyPenaltyProcessor(double penalty, int startPosition = 0, int? padTokenId = null)
    {
        DecodingChecks.RequireFinite(penalty, "frequency penalty");
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
        var counts = DecodingChecks.TokenCounts(inputIds, scores, PadTokenId, StartPosition);
        return scores.sub(counts.mul(Penalty)).MoveToOuterDisposeScope();
    }
}
