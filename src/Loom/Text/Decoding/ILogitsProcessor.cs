using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Transforms next-token scores before a token is chosen.
/// <para><c>inputIds</c>: [B, T] int64, the tokens so far (prompt + generated) of each row.
/// <c>scores</c>: [B, V] floating-point logits (or log-probabilities) for the next token.</para>
/// Returns new scores [B, V]: an implementation never mutates <c>scores</c> or <c>inputIds</c> and never returns
/// the <c>scores</c> instance itself, so the caller may dispose input and output independently.
/// Removed tokens get negative infinity.
/// </summary>
/// <remarks>
/// Rows may be left-padded. Processors that read the history (penalties, n-gram bans) take an optional pad token id
/// whose positions they ignore; everything else treats <c>inputIds</c> as given.
/// </remarks>
public interface ILogitsProcessor
{
    /// <summary>Returns processed scores [B, V]; see <see cref="ILogitsProcessor"/> for the shapes.</summary>
    Tensor Process(Tensor inputIds, Tensor scores);
}
