using System.Text.Json.Nodes;
using Loom.Server.Protocol;
using Loom.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loom.Server.Text;

/// <summary>
/// <c>POST /v1/chat/completions</c>: the messages become a prompt through the model's chat template (or Loom's plain
/// format), the choices run through the model's engine, and the reply comes whole (<c>chat.completion</c>) or streamed
/// (<c>chat.completion.chunk</c> events, a usage chunk with <c>stream_options.include_usage</c>, then <c>[DONE]</c>).
/// Supports <c>logprobs</c>/<c>top_logprobs</c> and the sampling fields of <see cref="TextSampling"/>; refuses tools,
/// function calling, audio and response formats other than text.
/// </summary>
public sealed class ChatCompletionsEndpoints : ILoomEndpoints
{
    public void Map(IEndpointRouteBuilder routes) => routes.MapLoom("POST", "/v1/chat/completions", HandleAsync);

    private static async Task HandleAsync(HttpContext context)
    {
        var (state, request, modelId) = await ModelRequest.ReadAsync(context).ConfigureAwait(false);
        foreach (var field in new[] { "tools", "functions", "audio", "prediction", "web_search_options" })
            request.Unsupported(field, "Loom text models do not call tools, speak or search");
        if (request.Node("tool_choice") is { } choice && choice.ToString() != "none")
            request.Unsupported("tool_choice", "Loom text models do not call tools");
        if (request.Node("response_format") is { } format && format["type"]?.ToString() != "text")
            request.Unsupported("response_format", "Loom text models answer in plain text only");
        var messages = ChatMessages.Read(request);
        bool logprobs = request.Bool("logprobs") ?? false;
        int top = (int)(request.Integer("top_logprobs", 0, 20) ?? 0);
        if (top > 0 && !logprobs)
            throw ApiError.BadField("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.", "invalid_value");
        var maxTokens = request.Integer("max_completion_tokens", 1, int.MaxValue) is { } completion ? ((int)completion,
            "max_completion_tokens") : request.Integer("max_tokens", 1, int.MaxValue) is { } max ? ((int)max, "max_tokens")
            : ((int, string)?)null;

        using var lease = await state.Store.AcquireAsync(modelId, context.RequestAborted).ConfigureAwait(false);
        var model = lease.Model;
        var sampling = TextSampling.Read(request, model, model.Format.StopSequences, 1, maxTokens, state.Options.MaxTokensPerRequest,
            logprobs ? top : -1, state.Options);
        var tokenizer = model.RequireText().CreateGenerator().Tokenizer;
        var prompt = model.Format.Format(messages);
        IReadOnlyList<int> ids = prompt.Length == 0 ? [] : tokenizer.Encode(prompt);
        var updates = ModeratedChoices.Apply(ChoiceRunner.RunAsync(model.Engine, [ids], sampling.N, sampling.Settings,
            context.RequestAborted), state.Moderator, context.RequestAborted);
        var responder = new TextResponder(context, state, model.Id, sampling.N);
        var shape = new Shape("chatcmpl-" + Guid.NewGuid().ToString("N"), JsonResponses.UnixNow(), model.Id,
            logprobs ? new TokenLogprobs(tokenizer, sampling.Settings.EosTokenIds, top) : null);
        if (!sampling.Stream)
        {
            await responder.CollectAsync(updates).ConfigureAwait(false);
            await JsonResponses.WriteAsync(context, shape.Completion(responder.Choices, responder.Usage(sampling.N)))
                .ConfigureAwait(false);
            return;
        }
        var started = new HashSet<int>();
        await responder.StreamAsync(updates, update => shape.Chunks(update, responder.Choices[update.Index], started.Add(update.Index)),
            () => sampling.IncludeUsage ? [shape.Chunk(new JsonArray(), responder.Usage(sampling.N))] : []).ConfigureAwait(false);
    }

    /// <summary>The JSON of one response: whole, or as chunks that share its id, time and model.</summary>
    private sealed record Shape(string Id, long Created, string Model, TokenLogprobs? Logprobs)
    {
        public JsonObject Completion(IEnumerable<ChoiceState> choices, JsonObject usage) => new()
        {
            ["id"] = Id, ["object"] = "chat.completion", ["created"] = Created, ["model"] = Model,
            ["system_fingerprint"] = Fingerprint,
            ["choices"] = new JsonArray(choices.Select(c => (JsonNode)ModeratedChoices.Annotate(new JsonObject
            {
                ["index"] = c.Index,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = c.Text, ["refusal"] = null },
                ["logprobs"] = Logprobs?.Chat(c.Tokens),
                ["finish_reason"] = c.FinishReason,
            }, c.Moderation)).ToArray()),
            ["usage"] = usage,
        };

        /// <summary>The events for one update: a role delta first, then text (with its logprobs), then the finish reason.</summary>
        public IEnumerable<JsonNode> Chunks(ChoiceUpdate update, ChoiceState choice, bool first)
        {
            if (first)
                yield return Chunk(Delta(update.Index, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null, null));
            if (update.Update.Token is { } token && (token.Text.Length > 0 || Logprobs is not null && token.TokenId >= 0))
                yield return Chunk(Delta(update.Index, new JsonObject { ["content"] = token.Text }, Logprobs?.Chat([token]), null));
            if (choice.FinishReason is { } reason && update.Update.FinishReason is not null)
                yield return Chunk(Delta(update.Index, new JsonObject(), null, reason, update.Moderation));
        }

        public JsonObject Chunk(JsonArray choices, JsonObject? usage = null) => new()
        {
            ["id"] = Id, ["object"] = "chat.completion.chunk", ["created"] = Created, ["model"] = Model,
            ["system_fingerprint"] = Fingerprint, ["choices"] = choices, ["usage"] = usage,
        };

        private static JsonArray Delta(int index, JsonObject delta, JsonObject? logprobs, string? finish,
            Loom.Safety.ModerationResult? review = null) =>
        [
            ModeratedChoices.Annotate(
                new JsonObject { ["index"] = index, ["delta"] = delta, ["logprobs"] = logprobs, ["finish_reason"] = finish }, review),
        ];

        private static string Fingerprint => "loom-" + Loom.Core.LoomVersion.Current;
    }
}
