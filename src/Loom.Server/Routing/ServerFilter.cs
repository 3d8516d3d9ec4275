using System.Diagnostics;
using Loom.Core;
using Loom.Server.Protocol;
using Loom.Text.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Loom.Server.Routing;

/// <summary>
/// The outermost filter of every Loom route: applies the body size limit and the request timeout, turns failures into
/// OpenAI-style errors (an SSE error event once a stream has started) and records the request in the metrics. A client
/// that disconnected gets nothing and counts as status 499.
/// </summary>
public sealed class ServerFilter : IEndpointFilter
{
    public const int ClientClosedRequest = 499;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var state = context.RequestServices.GetRequiredService<LoomServerState>();
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
            body.MaxRequestBodySize = state.Options.MaxRequestBodyBytes;
        var clientGone = context.RequestAborted;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        timeout.CancelAfter(state.Options.RequestTimeout);
        context.RequestAborted = timeout.Token;
        var clock = Stopwatch.StartNew();
        int? status = null;
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            status = ClientClosedRequest;
            return Results.Empty;
        }
        catch (Exception e)
        {
            var error = ToApiError(e, timeout.IsCancellationRequested);
            status = error.Status;
            await ErrorResponses.WriteAsync(context, error).ConfigureAwait(false);
            return Results.Empty;
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
            state.Metrics.RecordRequest(route, status ?? context.Response.StatusCode, clock.Elapsed.TotalSeconds);
        }
    }

    private static ApiError ToApiError(Exception e, bool timedOut) => e switch
    {
        ApiError api => api,
        OperationCanceledException when timedOut =>
            new ApiError(504, "The request took longer than the server's request timeout.", "timeout", null, "request_timeout"),
        EngineQueueFullException full => new ApiError(429,
            $"The model's request queue is full ({full.QueueLimit} waiting); please retry later.", "requests", null, "queue_full")
        { RetryAfterSeconds = 1 },
        BadHttpRequestException bad => new ApiError(bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? "The request body is larger than the server accepts." : bad.Message, "invalid_request_error", null,
            bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "request_too_large" : null),
        LoomException { Option: { } option, Problem: { } problem } when e is LoomUsageException or LoomDataException =>
            new ApiError(400, $"{RequestFieldNames.For(option)}: {problem}", "invalid_request_error", RequestFieldNames.For(option)),
        LoomUsageException or LoomDataException => new ApiError(400, e.Message, "invalid_request_error"),
        _ => new ApiError(500, $"The server had an error while processing your request ({e.GetType().Name}: {e.Message})",
            "server_error"),
    };
}
