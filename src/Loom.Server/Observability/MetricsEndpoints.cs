using Loom.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Loom.Server.Observability;

/// <summary><c>GET /metrics</c>: <see cref="ServerMetrics"/> in Prometheus' text format (needs an API key like every
/// route but <c>/healthz</c>).</summary>
public sealed class MetricsEndpoints : ILoomEndpoints
{
    public void Map(IEndpointRouteBuilder routes) =>
        routes.MapLoom("GET", "/metrics", async context =>
        {
            var state = context.RequestServices.GetRequiredService<LoomServerState>();
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.Response.WriteAsync(state.Metrics.Render(state.Store.Loaded), context.RequestAborted).ConfigureAwait(false);
        });
}
