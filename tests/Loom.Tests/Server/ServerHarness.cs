using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Loom.Server;
using Loom.Server.Security;
using Loom.Tests.AI;
using Loom.Tests.Support;
using OpenAI;

namespace Loom.Tests.Server;

/// <summary>
/// A real Loom server on a free loopback port over a temporary model store holding the tiny chat model as <c>tiny</c>,
/// with one API key (unless the options say NoAuth), and clients pointed at it: the official OpenAI SDK (no retries, so
/// a 429 is seen) and a raw HTTP client for what the SDK does not expose.
/// </summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    public const string Model = "tiny";

    private readonly TempFolder store;

    private ServerHarness(TempFolder store, LoomServer server, string? key)
    {
        this.store = store;
        Server = server;
        Key = key;
    }

    public LoomServer Server { get; }
    public string? Key { get; }
    public string StorePath => store.Path;
    public string ModelFolder => Path.Combine(store.Path, Model);
    public Uri BaseAddress => Server.BaseAddress;

    /// <summary>Starts a server; <paramref name="options"/> gets the store folder and returns the options (port 0).</summary>
    public static async Task<ServerHarness> StartAsync(Func<string, LoomServerOptions>? options = null)
    {
        var store = new TempFolder();
        try
        {
            TinyChatModel.Save(Path.Combine(store.Path, Model));
            var chosen = options?.Invoke(store.Path) ?? new LoomServerOptions { ModelsFolder = store.Path, Port = 0 };
            string? key = chosen.NoAuth ? null : new ApiKeyStore(store.Path).Create("tests").Key;
            return new ServerHarness(store, await LoomServer.StartAsync(chosen), key);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The OpenAI SDK pointed at the server, with the harness's key (or <paramref name="key"/>).</summary>
    public OpenAIClient OpenAi(string? key = null) => new(new ApiKeyCredential(key ?? Key ?? "none"), new OpenAIClientOptions
    {
        Endpoint = new Uri(BaseAddress, "v1"),
        RetryPolicy = new ClientRetryPolicy(0),
    });

    /// <summary>A raw client with the harness's key (or <paramref name="key"/>; "" sends none).</summary>
    public HttpClient Http(string? key = null)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if ((key ?? Key) is { Length: > 0 } bearer)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http;
    }

    /// <summary>POSTs <paramref name="body"/> as JSON; returns the status and the parsed JSON answer.</summary>
    public async Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> PostAsync(string path, JsonObject body,
        string? key = null)
    {
        using var http = Http(key);
        var response = await http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject(), response);
    }

    /// <summary>GETs <paramref name="path"/>; returns the status and the body text.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string? key = null)
    {
        using var http = Http(key);
        var response = await http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        store.Dispose();
    }
}
