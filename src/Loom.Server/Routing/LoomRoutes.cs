using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loom.Server.Routing;

/// <summary>How Loom's endpoint files map handlers, and the marker of routes open without an API key.</summary>
public static class LoomRoutes
{
    /// <summary>
    /// Maps <paramref name="handler"/>, which writes the whole response itself (JSON or a stream), so the server's filters
    /// see the final status code.
    /// </summary>
    public static RouteHandlerBuilder MapLoom(this IEndpointRouteBuilder routes, string method, string pattern,
        Func<HttpContext, Task> handler) =>
        routes.MapMethods(pattern, [method], async (HttpContext context) =>
        {
            await handler(context).ConfigureAwait(false);
            return Results.Empty;
        });

    /// <summary>Marks a route as open to requests without an API key (health checks).</summary>
    public static RouteHandlerBuilder AllowWithoutKey(this RouteHandlerBuilder route) => route.WithMetadata(new OpenRoute());

    /// <summary>Endpoint metadata of a route that needs no API key.</summary>
    public sealed class OpenRoute;
}
