using Microsoft.AspNetCore.Routing;

namespace Loom.Server.Routing;

/// <summary>
/// One file's routes of the Loom server. Every public class of this assembly with a parameterless constructor that
/// implements it is mapped (<see cref="LoomEndpointCatalog"/>) inside the server's route group, so its routes get API
/// key checks, rate limits, the request timeout, OpenAI-style errors and metrics; a new endpoint is one new file.
/// </summary>
public interface ILoomEndpoints
{
    /// <summary>Maps the routes (use <see cref="LoomRoutes.MapLoom"/> so handlers write their own responses).</summary>
    void Map(IEndpointRouteBuilder routes);
}
