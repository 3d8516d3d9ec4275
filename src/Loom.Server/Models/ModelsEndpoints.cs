using System.Text.Json.Nodes;
using Loom.Server.Protocol;
using Loom.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Loom.Server.Models;

/// <summary>
/// <c>GET /v1/models</c> lists every model of the store; <c>GET /v1/models/{model}</c> shows one (404 otherwise). Beside
/// OpenAI's fields each model has <c>kind</c>, <c>capabilities</c> (<c>chat.completions</c>, <c>completions</c>,
/// <c>embeddings</c>) and <c>loaded</c>.
/// </summary>
public sealed class ModelsEndpoints : ILoomEndpoints
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapLoom("GET", "/v1/models", context =>
        {
            var store = context.RequestServices.GetRequiredService<LoomServerState>().Store;
            var loaded = store.Loaded.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
            var data = new JsonArray(store.List().Select(e => (JsonNode)ToJson(e, loaded.Contains(e.Id))).ToArray());
            return JsonResponses.WriteAsync(context, new JsonObject { ["object"] = "list", ["data"] = data });
        });
        routes.MapLoom("GET", "/v1/models/{model}", context =>
        {
            var store = context.RequestServices.GetRequiredService<LoomServerState>().Store;
            var entry = store.Find(context.GetRouteValue("model")?.ToString() ?? "");
            return JsonResponses.WriteAsync(context, ToJson(entry, store.Loaded.Any(m => m.Id == entry.Id)));
        });
    }

    private static JsonObject ToJson(ModelEntry entry, bool loaded) => new()
    {
        ["id"] = entry.Id,
        ["object"] = "model",
        ["created"] = entry.Created.ToUnixTimeSeconds(),
        ["owned_by"] = "loom",
        ["kind"] = entry.Kind,
        ["capabilities"] = new JsonArray(entry.Capabilities.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
        ["loaded"] = loaded,
    };
}
