using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Loom.Safety;
using Loom.Text.Generation;
using Loom.Text.Serving;

namespace Loom.Server.Text;

/// <summary>
/// The server's moderation stage over a request's choice updates. Each choice's text is reviewed when it finishes and
/// the result rides on its final update. When the policy can only flag, tokens pass through as they come; when it may
/// redact or block, a choice's tokens are held back and replaced by one final update that carries the reviewed text
/// (empty, with finish reason <c>content_filter</c>, when blocked) — so nothing withheld ever reaches the client.
/// </summary>
public static class ModeratedChoices
{
    /// <summary>The finish reason of a blocked choice (OpenAI's name for it).</summary>
    public const string ContentFilter = "content_filter";

    /// <summary>Adds <c>loom_moderation</c> (verdict and flags) to a response's choice object when the review found anything.</summary>
    public static JsonObject Annotate(JsonObject choice, ModerationResult? review)
    {
        if (review is { Flagged: true })
            choice["loom_moderation"] = ModerationJson.From(review);
        return choice;
    }

    public static async IAsyncEnumerable<ChoiceUpdate> Apply(IAsyncEnumerable<ChoiceUpdate> updates, ContentModerator? moderator,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        if (moderator is null)
        {
            await foreach (var update in updates.WithCancellation(cancellation).ConfigureAwait(false))
                yield return update;
            yield break;
        }
        bool holdBack = moderator.MayChangeOutput;
        var texts = new Dictionary<int, StringBuilder>();
        await foreach (var update in updates.WithCancellation(cancellation).ConfigureAwait(false))
        {
            var text = texts.TryGetValue(update.Index, out var known) ? known : texts[update.Index] = new StringBuilder();
            text.Append(update.Update.Token?.Text);
            if (update.Update.FinishReason is not { } reason)
            {
                if (!holdBack) yield return update;
                continue;
            }
            var review = moderator.Review(text.ToString());
            if (!holdBack)
            {
                yield return update with { Moderation = review };
                continue;
            }
            // One update in place of the held-back tokens: the reviewed text as a flush piece (token id −1).
            var shown = new GeneratedToken(0, -1, review.Text, null, []);
            yield return update with
            {
                Update = update.Update with { Token = shown, FinishReason = review.Blocked ? ContentFilter : reason },
                Moderation = review,
            };
        }
    }
}
