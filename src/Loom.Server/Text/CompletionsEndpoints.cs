using System.Text.Json.Nodes;
using Loom.Server.Protocol;
using Loom.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loom.Server.Text;

/// <summary>
/// <c>POST /v1/completions</c> (OpenAI's legacy completions): continues each prompt as is, no chat template, and answers
/// whole (<c>text_completion</c>) or streamed. Supports the sampling fields of <see cref="TextSampling"/> (max_tokens
/// defaults to 16, as OpenAI's does) and <c>logprobs</c> (0–5 alternatives); refuses <c>echo</c>, <c>suffix</c> and a
/// <c>best_of</c> other than <c>n</c>.
/// </summary>
public sealed class CompletionsEndpoints : ILoomEndpoints
{
    private const int DefaultMaxTokens = 16;

    public void Map(IEndpointRouteBuilder routes) => routes.MapLoom("POST", "/v1/completions", HandleAsync);

    private static async Task HandleAsync(HttpContext context)
    {
        var (state, request, modelId) = await ModelRequest.ReadAsync(context).ConfigureAwait(false);
        if (request.Bool("echo") == true) request.Unsupported("echo", "the reply holds only the completion");
        request.Unsupported("suffix", "Loom models do not fill in the middle");
        int? alternatives = (int?)request.Integer("logprobs", 0, 5);
        var maxTokens = request.Integer("max_tokens", 1, int.MaxValue) is { } max ? ((int)max, "max_tokens") : ((int, string)?)null;

        using var lease = await state.Store.AcquireAsync(modelId, context.RequestAborted).ConfigureAwait(false);
        var model = lease.Model;
        var tokenizer = model.RequireText().CreateGenerator().Tokenizer;
        var prompts = CompletionPrompts.Read(request, tokenizer);
        var sampling = TextSampling.Read(request, model, [], prompts.Count, maxTokens, DefaultMaxTokens, alternatives ?? -1,
            state.Options);
        if (request.Integer("best_of", 1, 128) is { } bestOf && bestOf != sampling.N)
            request.Unsupported("best_of", "every choice generated is returned; use n");
        var updates = ModeratedChoices.Apply(ChoiceRunner.RunAsync(model.Engine, prompts, sampling.N, sampling.Settings,
            context.RequestAborted), state.Moderator, context.RequestAborted);
        var responder = new TextResponder(context, state, model.Id, prompts.Count * sampling.N);
        var shape = new Shape("cmpl-" + Guid.NewGuid().ToString("N"), JsonResponses.UnixNow(), model.Id,
            alternatives is { } top ? new Loom.Server.Text.TokenLogprobs(tokenizer, sampling.Settings.EosTokenIds, top) : null);
        if (!sampling.Stream)
        {
            await responder.CollectAsync(updates).ConfigureAwait(false);
            var whole = shape.Body(responder.Choices.Select(c =>
                ModeratedChoices.Annotate(shape.Choice(c.Index, c.Text, c.Tokens, 0, c.FinishReason), c.Moderation)));
            whole["usage"] = responder.Usage(sampling.N);
            await JsonResponses.WriteAsync(context, whole).ConfigureAwait(false);
            return;
        }
        var offsets = new int[responder.Choices.Length];
        await responder.StreamAsync(updates, update => Chunks(shape, update, responder.Choices[update.Index], offsets),
            () => sampling.IncludeUsage ? [shape.Usage(responder.Usage(sampling.N))] : []).ConfigureAwait(false);
    }

    private static IEnumerable<JsonNode> Chunks(Shape shape, ChoiceUpdate update, ChoiceState choice, int[] offsets)
    {
        var token = update.Update.Token;
        bool text = token is not null && (token.Text.Length > 0 || shape.Logprobs is not null && token.TokenId >= 0);
        if (!text && update.Update.FinishReason is null) yield break;
        var body = shape.Body([ModeratedChoices.Annotate(shape.Choice(update.Index, token?.Text ?? "", token is null ? [] : [token],
            offsets[update.Index], update.Update.FinishReason is null ? null : choice.FinishReason), update.Moderation)]);
        offsets[update.Index] += token?.Text.Length ?? 0;
        yield return body;
    }

    /// <summary>The JSON of one response: whole, or as chunks that share its id, time and model.</summary>
    private sealed record Shape(string Id, long Created, string Model, TokenLogprobs? Logprobs)
    {
        public JsonObject Body(IEnumerable<JsonObject> choices) => new()
        {
            ["id"] = Id, ["object"] = "text_completion", ["created"] = Created, ["model"] = Model,
            ["system_fingerprint"] = "loom-" + Loom.Core.LoomVersion.Current,
            ["choices"] = new JsonArray(choices.Select(c => (JsonNode)c).ToArray()),
        };

        public JsonObject Choice(int index, string text, IEnumerable<Loom.Text.Generation.GeneratedToken> tokens, int offset,
            string? finish) => new()
            {
                ["text"] = text, ["index"] = index, ["logprobs"] = Logprobs?.Completion(tokens, offset), ["finish_reason"] = finish,
            };

        public JsonObject Usage(JsonObject usage)
        {
            var chunk = Body([]);
            chunk["usage"] = usage;
            return chunk;
        }
    }
}
