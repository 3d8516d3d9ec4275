using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Server.Protocol;
using Loom.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loom.Server.Embeddings;

/// <summary>
/// <c>POST /v1/embeddings</c> through the library's <see cref="Loom.AI.LoomEmbeddingGenerator"/> (transformer text
/// models: the mean of the last layer's normalised hidden states, L2-normalised). <c>input</c> is a string or an array
/// of strings; <c>encoding_format</c> <c>float</c> (default) or <c>base64</c> (little-endian float32, as OpenAI sends);
/// <c>dimensions</c> only as the model's width. Token-id inputs are refused.
/// </summary>
public sealed class EmbeddingsEndpoints : ILoomEndpoints
{
    private const int MaxInputs = 2048;

    public void Map(IEndpointRouteBuilder routes) => routes.MapLoom("POST", "/v1/embeddings", HandleAsync);

    private static async Task HandleAsync(HttpContext context)
    {
        var (state, request, modelId) = await ModelRequest.ReadAsync(context).ConfigureAwait(false);
        var inputs = Inputs(request);
        var format = request.String("encoding_format") ?? "float";
        if (format is not ("float" or "base64"))
            throw ApiError.BadField("encoding_format", $"Invalid value for 'encoding_format': '{format}' (float or base64).",
                "invalid_value");
        using var lease = await state.Store.AcquireAsync(modelId, context.RequestAborted).ConfigureAwait(false);
        var generator = lease.Model.Embeddings;
        if (request.Integer("dimensions", 1, int.MaxValue) is { } dimensions
            && dimensions != generator.Metadata.DefaultModelDimensions)
            throw ApiError.BadField("dimensions", $"This model's embeddings have {generator.Metadata.DefaultModelDimensions} "
                + "dimensions; it cannot shorten them.", "invalid_value");
        var embeddings = await generator.GenerateAsync(inputs, null, context.RequestAborted).ConfigureAwait(false);
        var data = new JsonArray(embeddings.Select((e, i) => (JsonNode)new JsonObject
        {
            ["object"] = "embedding",
            ["index"] = i,
            ["embedding"] = format == "base64"
                ? Convert.ToBase64String(MemoryMarshal.AsBytes(e.Vector.Span))
                : new JsonArray(e.Vector.ToArray().Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
        }).ToArray());
        long tokens = embeddings.Usage?.InputTokenCount ?? 0;
        await JsonResponses.WriteAsync(context, new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["model"] = lease.Model.Id,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        }).ConfigureAwait(false);
    }

    private static List<string> Inputs(JsonRequest request)
    {
        var node = request.Node("input") ?? throw ApiError.BadField("input", "Missing required parameter: 'input'.",
            "missing_required_parameter");
        if (node.GetValueKind() == JsonValueKind.String) return [node.GetValue<string>()];
        if (node is not JsonArray array || array.Count == 0 || array.Any(e => e?.GetValueKind() != JsonValueKind.String))
            throw ApiError.BadField("input", "Invalid value for 'input': expected a string or a non-empty array of strings "
                + "(token-id inputs are not supported).", "invalid_value");
        if (array.Count > MaxInputs)
            throw ApiError.BadField("input", $"At most {MaxInputs} inputs per request (got {array.Count}).", "invalid_value");
        return array.Select(e => e!.GetValue<string>()).ToList();
    }
}
