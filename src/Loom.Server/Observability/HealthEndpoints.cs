using System.Text.Json.Nodes;
using Loom.Server.Protocol;
using Loom.Server.Routing;
using Microsoft.AspNetCore.Routing;

namespace Loom.Server.Observability;

/// <summary><c>GET /healthz</c>: <c>{"status":"ok"}</c> while the server runs; needs no API key.</summary>
public sealed class HealthEndpoints : ILoomEndpoints
{
    public void Map(IEndpointRouteBuilder routes) =>
        routes.MapLoom("GET", "/healthz", context => JsonResponses.WriteAsync(context, new JsonObject { ["status"] = "ok" }))
            .AllowWithoutKey();
}
