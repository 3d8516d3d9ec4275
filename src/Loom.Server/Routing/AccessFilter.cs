using System.Threading.RateLimiting;
using Loom.Server.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Loom.Server.Routing;

/// <summary>
/// Every route but those marked <see cref="LoomRoutes.OpenRoute"/> needs <c>Authorization: Bearer KEY</c> with an active
/// key of the store (401 otherwise), unless the server runs without keys; then the per-key rate limit applies (429 with
/// <c>Retry-After</c>), keyed by the client's address when there are no keys.
/// </summary>
public sealed class AccessFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (context.GetEndpoint()?.Metadata.GetMetadata<LoomRoutes.OpenRoute>() is not null)
            return await next(invocation).ConfigureAwait(false);
        var state = context.RequestServices.GetRequiredService<LoomServerState>();
        string caller = state.Keys is { } keys
            ? "key:" + Authenticate(keys, context.Request.Headers.Authorization.ToString())
            : "address:" + context.Connection.RemoteIpAddress;
        if (state.RateLimiter is { } limiter)
        {
            using var lease = limiter.AttemptAcquire(caller);
            if (!lease.IsAcquired)
            {
                int wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 60;
                throw new ApiError(429, $"Rate limit reached: {state.Options.RateLimitPerMinute} requests per minute; please retry later.",
                    "requests", null, "rate_limit_exceeded")
                { RetryAfterSeconds = Math.Max(1, wait) };
            }
        }
        return await next(invocation).ConfigureAwait(false);
    }

    private static string Authenticate(Security.ApiKeyStore keys, string authorization)
    {
        const string bearer = "Bearer ";
        if (!authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
            throw new ApiError(401, "You didn't provide an API key. You need to provide your API key in an Authorization header "
                + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error", null, "missing_api_key");
        var presented = authorization[bearer.Length..].Trim();
        return keys.Verify(presented)?.Id
            ?? throw new ApiError(401, "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");
    }
}
