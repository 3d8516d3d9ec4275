using System.Net;
using Loom.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Loom.Server;

/// <summary>
/// A running Loom server on its own Kestrel host: <c>await using var server = await LoomServer.StartAsync(options)</c>
/// serves the model store at <see cref="BaseAddress"/> until stopped. Stopping drains in-flight requests (streams
/// included) for up to <see cref="LoomServerOptions.ShutdownTimeout"/>, then disposes the loaded models. The host installs
/// no signal handlers: the program that starts it decides when to stop.
/// </summary>
public sealed class LoomServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoomServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:8080/</c> (the port chosen when the options said 0).</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server's shared state (options, model store, metrics).</summary>
    public LoomServerState State => app.Services.GetRequiredService<LoomServerState>();

    /// <summary>Starts serving; throws <see cref="LoomUsageException"/> for options that cannot be used.</summary>
    public static async Task<LoomServer> StartAsync(LoomServerOptions options, CancellationToken cancellation = default)
    {
        options = options.Clone();
        options.Validate();
        var address = ListenAddress(options.Host);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Listen(address, options.Port);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddLoomServer(options);
        var app = builder.Build();
        app.MapLoomServer();
        try
        {
            await app.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw LoomUsageException.ForOption(nameof(LoomServerOptions.Port),
                $"cannot listen on {options.Host}:{options.Port} ({e.Message.Split('\n')[0]})", e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoomServer(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    /// <summary>Stops taking requests and waits for in-flight ones (up to the shutdown timeout).</summary>
    public Task StopAsync(CancellationToken cancellation = default) => app.StopAsync(cancellation);

    /// <summary>Completes when the server has stopped.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => app.WaitForShutdownAsync(cancellation);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private static IPAddress ListenAddress(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host.Trim('[', ']'), out var address) ? address
        : throw LoomUsageException.ForOption(nameof(LoomServerOptions.Host), $"must be an IP address or localhost (got '{host}')");

    /// <summary>A host lifetime that leaves signals alone (the embedding program or CLI owns them).</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
