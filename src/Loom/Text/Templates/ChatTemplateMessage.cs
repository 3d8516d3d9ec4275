using System.Text.Json.Nodes;

namespace Loom.Text.Templates;

/// <summary>
/// One chat message as a chat template sees it: <c>role</c> and <c>content</c>, and where given <c>tool_calls</c>
/// (JSON, e.g. <c>[{"type":"function","function":{"name":..,"arguments":{..}}}]</c>), <c>name</c> and
/// <c>reasoning_content</c>. Fields left null are absent (undefined) in the template, not none.
/// </summary>
public sealed record ChatTemplateMessage(string Role, string? Content, JsonNode? ToolCalls = null, string? Name = null,
    string? ReasoningContent = null)
{
    /// <summary>The message as the JSON object templates read (<c>message.role</c>, <c>message['content']</c>).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["role"] = Role };
        if (Content is not null) o["content"] = Content;
        if (ToolCalls is not null) o["tool_calls"] = ToolCalls.DeepClone();
        if (Name is not null) o["name"] = Name;
        if (ReasoningContent is not null) o["reasoning_content"] = ReasoningContent;
        return o;
    }
}
