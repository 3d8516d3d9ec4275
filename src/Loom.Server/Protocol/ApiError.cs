namespace Loom.Server.Protocol;

/// <summary>
/// A request the server answers with an OpenAI-style error body, <c>{"error":{"message","type","param","code"}}</c>,
/// and <see cref="Status"/>. Thrown by route handlers; the error filter writes it (as an SSE event once a stream started).
/// </summary>
public sealed class ApiError(int status, string message, string type, string? param = null, string? code = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    /// <summary>Seconds a client should wait before retrying (429, 503), sent as <c>Retry-After</c>.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>400: a field of the request is missing or has a value the server cannot use.</summary>
    public static ApiError BadField(string param, string message, string? code = null) =>
        new(400, message, "invalid_request_error", param, code);

    /// <summary>404 <c>model_not_found</c>.</summary>
    public static ApiError ModelNotFound(string model, string why = "") =>
        new(404, $"The model '{model}' does not exist{why}", "invalid_request_error", "model", "model_not_found");

    /// <summary>The body as OpenAI writes it.</summary>
    public System.Text.Json.Nodes.JsonObject ToJson() => new()
    {
        ["error"] = new System.Text.Json.Nodes.JsonObject
        {
            ["message"] = Message, ["type"] = Type, ["param"] = Param, ["code"] = Code,
        },
    };
}
