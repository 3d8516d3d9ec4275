using Loom.Text.Generation;

namespace Loom.Text.Serving;

/// <summary>
/// What an engine streams for one request: one update per chosen token (<see cref="Token"/> set, its
/// <see cref="GeneratedToken.Row"/> 0), then exactly one final update with <see cref="FinishReason"/> set
/// (<c>eos</c>, <c>stop</c> or <c>length</c>) and <see cref="Token"/> null or a flush piece with token id −1.
/// <see cref="PromptTokens"/> and <see cref="CompletionTokens"/> count tokens so far (usage).
/// </summary>
public sealed record CompletionUpdate(GeneratedToken? Token, string? FinishReason, int PromptTokens, int CompletionTokens);
