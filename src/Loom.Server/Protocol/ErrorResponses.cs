using Microsoft.AspNetCore.Http;

namespace Loom.Server.Protocol;

/// <summary>Writes an <see cref="ApiError"/>: a JSON body with its status, or an SSE error event once a stream started.</summary>
public static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext context, ApiError error)
    {
        var json = error.ToJson().ToJsonString();
        if (context.Response.HasStarted)
        {
            await ServerSentEvents.WriteDataAsync(context, json, CancellationToken.None).ConfigureAwait(false);
            return;
        }
        context.Response.Clear();
        context.Response.StatusCode = error.Status;
        if (error.RetryAfterSeconds is { } seconds)
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, CancellationToken.None).ConfigureAwait(false);
    }
}
