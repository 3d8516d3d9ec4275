using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Text.Templates;

/// <summary>The reference renderer: <c>@huggingface/jinja</c> through <c>tests/peers/render-chat-template.mjs</c>.</summary>
public static class JinjaPeer
{
    /// <summary>What the peer made of <paramref name="template"/>: its rendering, or the message it threw.</summary>
    public sealed record Result(string? Output, string? Error);

    public static Result Render(string template, JsonObject context)
    {
        var request = new JsonObject { ["template"] = template, ["context"] = context.DeepClone() };
        var reply = JsonNode.Parse(NodePeers.Run("render-chat-template.mjs", [], request.ToJsonString()))!.AsObject();
        return new Result(reply["output"]?.GetValue<string>(), reply["error"]?.GetValue<string>());
    }

    /// <summary>The peer's rendering; fails the test when the peer threw.</summary>
    public static string Output(string template, JsonObject context)
    {
        var result = Render(template, context);
        Assert.True(result.Error is null, $"the peer threw: {result.Error}");
        return result.Output!;
    }
}
