using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Loom.Server.Protocol;

/// <summary>A POST to a model route: the server's state, the JSON body and its required <c>model</c> field.</summary>
public sealed record ModelRequest(LoomServerState State, JsonRequest Body, string Model)
{
    public static async Task<ModelRequest> ReadAsync(HttpContext context)
    {
        var state = context.RequestServices.GetRequiredService<LoomServerState>();
        var body = await JsonRequest.ReadAsync(context).ConfigureAwait(false);
        return new ModelRequest(state, body, body.RequiredString("model"));
    }
}
