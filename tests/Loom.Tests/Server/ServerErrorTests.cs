using System.ClientModel;
using System.Net;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Server;
using Loom.Tests.Support;
using OpenAI.Chat;

namespace Loom.Tests.Server;

/// <summary>
/// Errors in OpenAI's shape, <c>{"error":{"message","type","param","code"}}</c>: 401 without a valid key (also through
/// the SDK), 404 for an unknown model or an id that tries to leave the store, 400 naming the bad field, 413 for a body
/// over the limit; and a store without keys is refused unless the options allow no auth.
/// </summary>
public sealed class ServerErrorTests
{
    private static void AssertError(JsonObject body, string type, string? param, string? code)
    {
        var error = body["error"]!.AsObject();
        Assert.Equal(["message", "type", "param", "code"], error.Select(p => p.Key));
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]?.GetValue<string>());
        Assert.Equal(code, error["code"]?.GetValue<string>());
    }

    private static JsonObject Chat(string model = "tiny") => new()
    {
        ["model"] = model, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }), ["max_tokens"] = 3,
    };

    [Fact]
    public async Task Every_route_but_healthz_needs_an_active_key()
    {
        await using var server = await ServerHarness.StartAsync();
        var (missing, body, _) = await server.PostAsync("/v1/chat/completions", Chat(), key: "");
        Assert.Equal(HttpStatusCode.Unauthorized, missing);
        AssertError(body, "invalid_request_error", null, "missing_api_key");
        var (wrong, wrongBody, _) = await server.PostAsync("/v1/chat/completions", Chat(), key: "loom-000000000000-nope");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        AssertError(wrongBody, "invalid_request_error", null, "invalid_api_key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync("/v1/models", key: "")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.GetAsync("/metrics", key: "")).Status);
        Assert.Equal((HttpStatusCode.OK, "{\"status\":\"ok\"}"), await server.GetAsync("/healthz", key: ""));

        var sdk = server.OpenAi("loom-123456789abc-guess").GetChatClient("tiny");
        var error = await Assert.ThrowsAsync<ClientResultException>(() => sdk.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, error.Status);
    }

    [Fact]
    public async Task An_unknown_model_is_404_and_bad_fields_are_400_naming_the_field()
    {
        await using var server = await ServerHarness.StartAsync();
        var (status, body, _) = await server.PostAsync("/v1/chat/completions", Chat("no-such-model"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertError(body, "invalid_request_error", "model", "model_not_found");
        var sdk = await Assert.ThrowsAsync<ClientResultException>(() =>
            server.OpenAi().GetChatClient("no-such-model").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, sdk.Status);

        foreach (var (field, value, code) in new (string, JsonNode, string)[]
        {
            ("temperature", 5, "invalid_value"), ("top_p", "high", "invalid_type"), ("stop", new JsonArray(1, 2), "invalid_type"),
            ("n", 0, "invalid_value"), ("max_tokens", 1_000_000, "invalid_value"), ("presence_penalty", 3, "invalid_value"),
            ("logit_bias", new JsonObject { ["999999"] = 1 }, "invalid_value"), ("top_logprobs", 2, "invalid_value"),
            ("tools", new JsonArray(new JsonObject { ["type"] = "function" }), "unsupported_parameter"),
        })
        {
            var request = Chat();
            request[field] = value;
            var (bad, badBody, _) = await server.PostAsync("/v1/chat/completions", request);
            Assert.True(bad == HttpStatusCode.BadRequest, $"{field}: {bad} {badBody}");
            AssertError(badBody, "invalid_request_error", field, code);
        }
        var noMessages = Chat();
        noMessages.Remove("messages");
        AssertError((await server.PostAsync("/v1/chat/completions", noMessages)).Body, "invalid_request_error", "messages",
            "missing_required_parameter");
        var (badEncoding, encodingBody, _) = await server.PostAsync("/v1/embeddings", new JsonObject
        {
            ["model"] = "tiny", ["input"] = "hi", ["encoding_format"] = "int8",
        });
        Assert.Equal(HttpStatusCode.BadRequest, badEncoding);
        AssertError(encodingBody, "invalid_request_error", "encoding_format", "invalid_value");
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../tiny")]
    [InlineData("/etc")]
    [InlineData("tiny/../tiny")]
    [InlineData(".hidden")]
    [InlineData("C:\\x")]
    public async Task A_model_id_that_names_a_path_is_refused(string id)
    {
        await using var server = await ServerHarness.StartAsync();
        // A checkpoint beside the store: reachable only through "..", which must not work.
        var outside = Path.Combine(Path.GetDirectoryName(server.StorePath)!, Path.GetFileName(server.StorePath) + "-outside");
        try
        {
            Loom.Tests.AI.TinyChatModel.Save(outside);
            var (status, body, _) = await server.PostAsync("/v1/chat/completions", Chat(id));
            Assert.Equal(HttpStatusCode.NotFound, status);
            AssertError(body, "invalid_request_error", "model", "model_not_found");
            var (escaped, _, _) = await server.PostAsync("/v1/chat/completions", Chat("../" + Path.GetFileName(outside)));
            Assert.Equal(HttpStatusCode.NotFound, escaped);
            Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync("/v1/models/" + Uri.EscapeDataString(id))).Status);
            Assert.Empty(server.Server.State.Store.Loaded);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413()
    {
        await using var server = await ServerHarness.StartAsync(store => new LoomServerOptions
        {
            ModelsFolder = store, Port = 0, MaxRequestBodyBytes = 2048,
        });
        var request = Chat();
        request["messages"]![0]!["content"] = new string('a', 4096);
        var (status, body, _) = await server.PostAsync("/v1/chat/completions", request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        AssertError(body, "invalid_request_error", null, "request_too_large");
    }

    [Fact]
    public async Task A_store_without_keys_is_refused_unless_no_auth_is_set()
    {
        using var store = new TempFolder();
        var error = await Assert.ThrowsAsync<LoomUsageException>(() =>
            LoomServer.StartAsync(new LoomServerOptions { ModelsFolder = store.Path, Port = 0 }));
        Assert.Equal("NoAuth", error.Option);
        await using var open = await LoomServer.StartAsync(new LoomServerOptions { ModelsFolder = store.Path, Port = 0, NoAuth = true });
        using var http = new HttpClient { BaseAddress = open.BaseAddress };
        var models = JsonNode.Parse(await http.GetStringAsync("/v1/models"))!;
        Assert.Empty(models["data"]!.AsArray());
        Assert.Equal(System.Net.IPAddress.Loopback.ToString(), open.BaseAddress.Host);
    }
}
