using Loom.Text.Decoding;

namespace Loom.Text.Serving;

/// <summary>One request to an <see cref="ITextCompletionEngine"/>: the prompt as token ids and its own decoding settings
/// (sampling, penalties, logit bias, stop sequences, seed, logprobs; beam search is not served).</summary>
public sealed record CompletionRequest(IReadOnlyList<int> PromptIds, GenerationSettings Settings);
