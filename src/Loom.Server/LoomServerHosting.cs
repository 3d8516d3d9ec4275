using Loom.Core;
using Loom.Server.Routing;
using Loom.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Loom.Server;

/// <summary>
/// Hosts the Loom server inside any ASP.NET Core app: <c>builder.Services.AddLoomServer(options)</c>, then
/// <c>app.MapLoomServer()</c> maps its routes (<c>/v1/…</c>, <c>/healthz</c>, <c>/metrics</c>) with their filters.
/// <see cref="LoomServer.StartAsync"/> does both on its own Kestrel host.
/// </summary>
public static class LoomServerHosting
{
    /// <summary>Registers the server's shared state; refuses a store without API keys unless the options allow no auth.</summary>
    public static IServiceCollection AddLoomServer(this IServiceCollection services, LoomServerOptions options)
    {
        options = options.Clone();
        options.Validate();
        if (!options.NoAuth && !new ApiKeyStore(options.ModelsFolder).HasActiveKeys())
            throw LoomUsageException.ForOption(nameof(LoomServerOptions.NoAuth),
                $"the model store {options.ModelsFolder} has no API keys; create one with 'loom keys create' or set NoAuth "
                + "to serve without keys");
        services.AddSingleton(new LoomServerState(options));
        return services;
    }

    /// <summary>Maps every <see cref="ILoomEndpoints"/> in one route group behind the server's filters.</summary>
    public static RouteGroupBuilder MapLoomServer(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("");
        group.AddEndpointFilter<ServerFilter>();
        group.AddEndpointFilter<AccessFilter>();
        foreach (var endpoints in LoomEndpointCatalog.All)
            endpoints.Map(group);
        return group;
    }
}
