using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.AI;
using Loom.Server.Models;
using Loom.Server.Protocol;
using Loom.Text.Decoding;
using Microsoft.Extensions.AI;

namespace Loom.Server.Text;

/// <summary>
/// The sampling fields chat and completions requests share, as decoding settings: <c>max_tokens</c>, <c>temperature</c>
/// (0 = greedy), <c>top_p</c>, <c>n</c>, <c>stop</c>, <c>seed</c>, <c>presence_penalty</c>, <c>frequency_penalty</c> go
/// through the library's <see cref="ChatOptionsSettings"/> (as <see cref="LoomChatClient"/> maps them), then
/// <c>logit_bias</c> and log-probabilities, and the server's watermark when it has one; plus <c>stream</c> and
/// <c>stream_options.include_usage</c>.
/// </summary>
public sealed record TextSampling(GenerationSettings Settings, int N, bool Stream, bool IncludeUsage)
{
    /// <summary>Reads the fields for <paramref name="prompts"/> prompts of <paramref name="model"/>.</summary>
    /// <param name="maxTokens">The request's token limit and the field it came from, or null for the default.</param>
    /// <param name="defaultMaxTokens">The limit when the request sets none (capped by the server's per-request limit).</param>
    /// <param name="alternatives">Top alternatives to report with each token's log-probability; −1 reports none.</param>
    public static TextSampling Read(JsonRequest request, LoadedModel model, IReadOnlyList<string> formatStops, int prompts,
        (int Value, string Field)? maxTokens, int defaultMaxTokens, int alternatives, LoomServerOptions options)
    {
        int n = (int)(request.Integer("n", 1, 128) ?? 1);
        int choices = prompts * n;
        int max = maxTokens?.Value ?? Math.Max(1, Math.Min(defaultMaxTokens, options.MaxTokensPerRequest / choices));
        if ((long)max * choices > options.MaxTokensPerRequest)
            throw ApiError.BadField(maxTokens?.Field ?? "n", $"{max} tokens × {choices} choices exceeds this server's limit of "
                + $"{options.MaxTokensPerRequest} tokens per request.", "invalid_value");
        double? topP = request.Number("top_p", 0, 1);
        if (topP == 0) throw ApiError.BadField("top_p", "Invalid value for 'top_p': must be greater than 0.", "invalid_value");
        var stops = request.StringOrStrings("stop", 4) ?? [];
        if (stops.Any(s => s.Length == 0)) throw ApiError.BadField("stop", "Invalid value for 'stop': empty strings stop nothing.");
        var chat = new ChatOptions
        {
            Temperature = (float?)request.Number("temperature", 0, 2),
            TopP = (float?)topP,
            MaxOutputTokens = max,
            Seed = request.Integer("seed", long.MinValue, long.MaxValue),
            FrequencyPenalty = (float?)request.Number("frequency_penalty", -2, 2),
            PresencePenalty = (float?)request.Number("presence_penalty", -2, 2),
            StopSequences = [.. stops],
        };
        var text = model.RequireText();
        var settings = ChatOptionsSettings.Apply(text.DefaultSettings(max), chat, formatStops);
        settings.LogitBias = LogitBias(request, text.CreateGenerator().Tokenizer.VocabSize);
        if (options.Watermark is { } watermark) settings.Watermark = watermark.Clone();
        if (alternatives >= 0) settings.Logprobs = Math.Max(1, alternatives);
        bool stream = request.Bool("stream") ?? false;
        bool includeUsage = request.Node("stream_options") switch
        {
            null => false,
            JsonObject o => new JsonRequest(o).Bool("include_usage") ?? false,
            _ => throw JsonRequest.WrongType("stream_options", "an object"),
        };
        return new TextSampling(settings, n, stream, includeUsage);
    }

    /// <summary><c>logit_bias</c>: token id (as a string key) → bias in [−100, 100].</summary>
    private static Dictionary<int, float> LogitBias(JsonRequest request, int vocabSize)
    {
        var bias = new Dictionary<int, float>();
        if (request.Node("logit_bias") is not { } node) return bias;
        if (node is not JsonObject map) throw JsonRequest.WrongType("logit_bias", "an object mapping token ids to numbers");
        foreach (var (key, value) in map)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int token) || token >= vocabSize)
                throw ApiError.BadField("logit_bias", $"Invalid key in 'logit_bias': '{key}' is not a token id of this model "
                    + $"(0 to {vocabSize - 1}).", "invalid_value");
            if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || v.GetValue<double>() is < -100 or > 100)
                throw ApiError.BadField("logit_bias", $"Invalid value in 'logit_bias' for token {key}: must be a number in [-100, 100].",
                    "invalid_value");
            bias[token] = (float)v.GetValue<double>();
        }
        return bias;
    }
}
