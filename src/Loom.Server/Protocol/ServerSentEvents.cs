using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Loom.Server.Protocol;

/// <summary>OpenAI's streaming format: <c>text/event-stream</c> of <c>data: {json}</c> events, then <c>data: [DONE]</c>.</summary>
public static class ServerSentEvents
{
    /// <summary>Sends the stream's headers (status 200) and turns response buffering off.</summary>
    public static async Task StartAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
    }

    public static Task WriteAsync(HttpContext context, JsonNode data) =>
        WriteDataAsync(context, data.ToJsonString(), context.RequestAborted);

    public static Task DoneAsync(HttpContext context) => WriteDataAsync(context, "[DONE]", context.RequestAborted);

    public static async Task WriteDataAsync(HttpContext context, string data, CancellationToken cancellation)
    {
        await context.Response.WriteAsync("data: " + data + "\n\n", cancellation).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(cancellation).ConfigureAwait(false);
    }
}
