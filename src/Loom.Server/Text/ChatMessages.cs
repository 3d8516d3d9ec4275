using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Server.Protocol;
using Microsoft.Extensions.AI;

namespace Loom.Server.Text;

/// <summary>
/// A chat request's <c>messages</c> as Microsoft.Extensions.AI messages for the model's prompt format: roles
/// <c>system</c>, <c>developer</c> (as system), <c>user</c> and <c>assistant</c>; content a string or an array of
/// <c>text</c> parts. Tool messages and non-text parts (images, audio, files) are refused, naming the field.
/// </summary>
public static class ChatMessages
{
    public static List<ChatMessage> Read(JsonRequest request)
    {
        if (request.Node("messages") is not JsonArray array)
            throw request.Node("messages") is null
                ? ApiError.BadField("messages", "Missing required parameter: 'messages'.", "missing_required_parameter")
                : JsonRequest.WrongType("messages", "an array of messages");
        if (array.Count == 0)
            throw ApiError.BadField("messages", "Invalid value for 'messages': expected at least one message.", "invalid_value");
        return array.Select((node, i) => Read(node, $"messages[{i}]")).ToList();
    }

    private static ChatMessage Read(JsonNode? node, string field)
    {
        if (node is not JsonObject message) throw JsonRequest.WrongType(field, "an object");
        var fields = new JsonRequest(message);
        var name = fields.String("role") ?? throw ApiError.BadField(field + ".role", $"Missing required parameter: '{field}.role'.");
        var role = name switch
        {
            "system" or "developer" => ChatRole.System,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            var other => throw ApiError.BadField(field + ".role", $"Invalid value for '{field}.role': '{other}' is not supported "
                + "(system, developer, user, assistant).", "invalid_value"),
        };
        if (fields.Node("tool_calls") is not null || fields.Node("function_call") is not null)
            throw ApiError.BadField(field, "Tool calls are not supported by this server.", "unsupported_parameter");
        return new ChatMessage(role, Content(fields.Node("content"), field + ".content"));
    }

    private static string Content(JsonNode? content, string field)
    {
        switch (content)
        {
            case null:
                return "";
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            case JsonArray parts:
                var text = new StringBuilder();
                for (int i = 0; i < parts.Count; i++)
                {
                    var part = parts[i] as JsonObject ?? throw JsonRequest.WrongType($"{field}[{i}]", "a content part object");
                    var fields = new JsonRequest(part);
                    if (fields.String("type") != "text")
                        throw ApiError.BadField($"{field}[{i}].type", $"Content parts of type '{fields.String("type")}' are not "
                            + "supported by this server; only 'text'.", "unsupported_parameter");
                    text.Append(fields.RequiredString("text"));
                }
                return text.ToString();
            default:
                throw JsonRequest.WrongType(field, "a string or an array of content parts");
        }
    }
}
