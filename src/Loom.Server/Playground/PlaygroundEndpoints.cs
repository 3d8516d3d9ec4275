using Loom.Server.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loom.Server.Playground;

/// <summary>
/// <c>GET /</c>: the web playground, one self-contained HTML page embedded in this assembly (no CDN, no external
/// fonts). The page itself needs no API key; what it calls (<c>/v1/models</c>, <c>/v1/chat/completions</c> streamed,
/// <c>/v1/images/generations</c>) uses the key typed into it, kept in the browser's localStorage. A content security
/// policy lets the page talk to this server only.
/// </summary>
public sealed class PlaygroundEndpoints : ILoomEndpoints
{
    public const string ResourceName = "Loom.Server.Playground.playground.html";

    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        + "img-src data:; media-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(PlaygroundEndpoints).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the assembly has no resource {ResourceName}");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    });

    public void Map(IEndpointRouteBuilder routes) => routes.MapLoom("GET", "/", async context =>
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.WriteAsync(Page.Value, context.RequestAborted).ConfigureAwait(false);
    }).AllowWithoutKey();
}
