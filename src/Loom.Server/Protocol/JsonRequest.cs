using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Loom.Server.Protocol;

/// <summary>
/// A request's JSON body with typed field readers: a field that is absent or null reads as null, one of the wrong type
/// or out of range is a 400 <see cref="ApiError"/> naming it as <c>param</c>. Unknown fields are ignored.
/// </summary>
public sealed class JsonRequest(JsonObject body)
{
    public JsonObject Body { get; } = body;

    /// <summary>Reads the body (within the server's size limit) as a JSON object.</summary>
    public static async Task<JsonRequest> ReadAsync(HttpContext context)
    {
        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new ApiError(400, "We could not parse the JSON body of your request: " + e.Message.Split('\n')[0],
                "invalid_request_error");
        }
        return node is JsonObject body
            ? new JsonRequest(body)
            : throw new ApiError(400, "The request body must be a JSON object", "invalid_request_error");
    }

    /// <summary>The field, or null when absent or JSON null.</summary>
    public JsonNode? Node(string name) =>
        Body.TryGetPropertyValue(name, out var node) && node is not null && node.GetValueKind() != JsonValueKind.Null ? node : null;

    public string RequiredString(string name) =>
        String(name) ?? throw ApiError.BadField(name, $"Missing required parameter: '{name}'.", "missing_required_parameter");

    public string? String(string name) => Node(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw WrongType(name, "a string"),
    };

    public bool? Bool(string name) => Node(name) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        _ => throw WrongType(name, "a boolean"),
    };

    public double? Number(string name, double min, double max)
    {
        if (Node(name) is not { } node) return null;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) throw WrongType(name, "a number");
        double value = v.GetValue<double>();
        return value >= min && value <= max ? value : throw OutOfRange(name, value, min, max);
    }

    public long? Integer(string name, long min, long max)
    {
        if (Node(name) is not { } node) return null;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue(out long value))
            throw WrongType(name, "an integer");
        return value >= min && value <= max ? value : throw OutOfRange(name, value, min, max);
    }

    /// <summary>A string or an array of strings (as <c>stop</c> takes), at most <paramref name="most"/>.</summary>
    public IReadOnlyList<string>? StringOrStrings(string name, int most)
    {
        var node = Node(name);
        if (node is null) return null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String) return [v.GetValue<string>()];
        if (node is not JsonArray array || array.Any(e => e?.GetValueKind() != JsonValueKind.String))
            throw WrongType(name, "a string or an array of strings");
        if (array.Count > most) throw ApiError.BadField(name, $"'{name}' takes at most {most} entries (got {array.Count}).");
        return array.Select(e => e!.GetValue<string>()).ToList();
    }

    /// <summary>Refuses a field the server does not support.</summary>
    public void Unsupported(string name, string why)
    {
        if (Node(name) is not null)
            throw ApiError.BadField(name, $"'{name}' is not supported by this server: {why}", "unsupported_parameter");
    }

    public static ApiError WrongType(string name, string expected) =>
        ApiError.BadField(name, $"Invalid type for '{name}': expected {expected}.", "invalid_type");

    private static ApiError OutOfRange(string name, double value, double min, double max) =>
        ApiError.BadField(name, $"Invalid value for '{name}': {value} is not in [{min}, {max}].", "invalid_value");
}
