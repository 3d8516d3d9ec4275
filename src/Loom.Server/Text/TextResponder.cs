using System.Text.Json.Nodes;
using Loom.Server.Protocol;
using Microsoft.AspNetCore.Http;

namespace Loom.Server.Text;

/// <summary>
/// Drives a text request's choices to the client, for chat and completions alike: whole (every choice collected) or as
/// a stream whose headers are sent only once the engine has accepted the request, so a full queue is still a 429.
/// Each finished choice's tokens and decoding time go into the metrics.
/// </summary>
public sealed class TextResponder(HttpContext context, LoomServerState state, string modelId, int choices)
{
    public ChoiceState[] Choices { get; } = Enumerable.Range(0, choices).Select(i => new ChoiceState(i)).ToArray();

    /// <summary>Usage over all choices: each prompt counted once, every choice's completion tokens.</summary>
    public JsonObject Usage(int n)
    {
        int prompt = Choices.Where(c => c.Index % n == 0).Sum(c => c.PromptTokens);
        int completion = Choices.Sum(c => c.CompletionTokens);
        return new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };
    }

    /// <summary>Runs every choice to its end.</summary>
    public async Task CollectAsync(IAsyncEnumerable<ChoiceUpdate> updates)
    {
        await foreach (var update in updates.ConfigureAwait(false))
            Add(update);
    }

    /// <summary>
    /// Streams: <paramref name="chunks"/> turns each update (already added to its choice) into the events to send;
    /// <paramref name="last"/> gives the final events (a usage chunk) before <c>data: [DONE]</c>.
    /// </summary>
    public async Task StreamAsync(IAsyncEnumerable<ChoiceUpdate> updates, Func<ChoiceUpdate, IEnumerable<JsonNode>> chunks,
        Func<IEnumerable<JsonNode>> last)
    {
        await using var enumerator = updates.GetAsyncEnumerator(context.RequestAborted);
        bool more = await enumerator.MoveNextAsync().ConfigureAwait(false);   // the engine accepts or refuses (429) here
        await ServerSentEvents.StartAsync(context).ConfigureAwait(false);
        while (more)
        {
            Add(enumerator.Current);
            foreach (var chunk in chunks(enumerator.Current))
                await ServerSentEvents.WriteAsync(context, chunk).ConfigureAwait(false);
            more = await enumerator.MoveNextAsync().ConfigureAwait(false);
        }
        foreach (var chunk in last())
            await ServerSentEvents.WriteAsync(context, chunk).ConfigureAwait(false);
        await ServerSentEvents.DoneAsync(context).ConfigureAwait(false);
    }

    private void Add(ChoiceUpdate update)
    {
        var choice = Choices[update.Index];
        choice.Add(update.Update, update.Moderation);
        if (update.Update.FinishReason is not null)
            state.Metrics.RecordGeneration(modelId, choice.CompletionTokens, choice.Seconds);
    }
}
