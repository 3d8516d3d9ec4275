using System.Diagnostics;
using System.Text;
using Loom.Safety;
using Loom.Text.Generation;
using Loom.Text.Serving;

namespace Loom.Server.Text;

/// <summary>What one choice has produced so far: its text, chosen tokens (with log-probabilities when asked), token
/// counts and OpenAI finish reason (<c>stop</c> for an end token or stop sequence, <c>length</c> at the token limit,
/// <c>content_filter</c> when moderation blocked it).</summary>
public sealed class ChoiceState(int index)
{
    private readonly StringBuilder text = new();
    private Stopwatch? clock;

    public int Index { get; } = index;
    public string Text => text.ToString();
    public List<GeneratedToken> Tokens { get; } = [];
    public string? FinishReason { get; private set; }
    public int PromptTokens { get; private set; }
    public int CompletionTokens { get; private set; }
    /// <summary>The moderation stage's review of the finished choice (null while decoding or when the server does not moderate).</summary>
    public ModerationResult? Moderation { get; private set; }

    /// <summary>Seconds from the choice's first update to its last (its decoding time).</summary>
    public double Seconds => clock?.Elapsed.TotalSeconds ?? 0;

    public void Add(CompletionUpdate update, ModerationResult? moderation = null)
    {
        Moderation ??= moderation;
        clock ??= Stopwatch.StartNew();
        if (update.Token is { } token)
        {
            text.Append(token.Text);
            if (token.TokenId >= 0) Tokens.Add(token);
        }
        PromptTokens = update.PromptTokens;
        CompletionTokens = update.CompletionTokens;
        if (update.FinishReason is { } reason)
        {
            FinishReason = reason is "length" or ModeratedChoices.ContentFilter ? reason : "stop";
            clock.Stop();
        }
    }
}
