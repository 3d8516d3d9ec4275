namespace Loom.Text.Generation;

/// <summary>One alternative token at a generation step, with its log-probability under the model.</summary>
public sealed record TokenAlternative(int TokenId, string Text, double Logprob);

/// <summary>
/// A streamed piece of output: the token chosen for prompt <see cref="Row"/>, the text it completes (possibly empty
/// while a UTF-8 character or a possible stop sequence is pending) and its log-probability under the model before
/// any processor (null when not requested), with the top alternatives. A final piece with <c>TokenId</c> −1 releases
/// text held back at the end (an incomplete stop-sequence prefix that never completed).
/// </summary>
public sealed record GeneratedToken(int Row, int TokenId, string Text, double? Logprob, IReadOnlyList<TokenAlternative> Alternatives);

/// <summary>
/// Why a row stopped: <c>eos</c>, <c>stop</c> (a stop sequence), <c>length</c> (max new tokens) or <c>cancelled</c>;
/// <see cref="Speculation"/> says how speculative decoding went (null without a draft).
/// </summary>
public sealed record GenerationOutput(string Prompt, string Text, IReadOnlyList<int> TokenIds, string FinishReason,
    IReadOnlyList<GeneratedToken> Tokens, SpeculationStats? Speculation = null);
