using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Loom.Server.Protocol;

/// <summary>Writes a JSON body with status 200.</summary>
public static class JsonResponses
{
    public static async Task WriteAsync(HttpContext context, JsonNode body)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Seconds since the Unix epoch, as OpenAI's <c>created</c> fields hold.</summary>
    public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
