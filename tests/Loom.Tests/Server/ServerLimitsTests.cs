using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Loom.Server;
using Loom.Text.Serving;

namespace Loom.Tests.Server;

/// <summary>
/// The server's limits: a full engine queue and the per-key rate limit are 429 with Retry-After, a client that hangs up
/// stops its request's engine work, stopping the server lets in-flight streams finish, and /metrics counts it all.
/// </summary>
public sealed class ServerLimitsTests
{
    private static JsonObject LongChat(bool stream, int maxTokens) => new()
    {
        ["model"] = "tiny", ["stream"] = stream, ["max_tokens"] = maxTokens, ["seed"] = 1,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello" }),
    };

    private static async Task<HttpResponseMessage> StartStreamAsync(HttpClient http, JsonObject request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    /// <summary>Reads /metrics until <paramref name="done"/> holds (the engine's thread finishes on its own time).</summary>
    private static async Task<string> MetricsWhenAsync(ServerHarness server, Func<string, bool> done)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(2); ; await Task.Delay(20))
        {
            var metrics = (await server.GetAsync("/metrics")).Body;
            if (done(metrics) || DateTime.UtcNow > deadline) return metrics;
        }
    }

    [Fact]
    public async Task A_full_queue_is_429_and_a_client_that_hangs_up_stops_its_engine_work()
    {
        await using var server = await ServerHarness.StartAsync(store => new LoomServerOptions
        {
            ModelsFolder = store, Port = 0, QueueLength = 0, MaxTokensPerRequest = 1_000_000,
            // One request at a time, and one that runs past the context (cropped), keeps the engine busy for as long as needed.
            EngineFactory = model => new SerialCompletionEngine(model, 0),
        });
        using var http = server.Http();
        var stream = await StartStreamAsync(http, LongChat(stream: true, maxTokens: 1_000_000));
        var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: {", await reader.ReadLineAsync());   // decoding: the engine is busy with it

        var (status, body, response) = await server.PostAsync("/v1/chat/completions", LongChat(stream: false, maxTokens: 2));
        Assert.Equal((HttpStatusCode)429, status);
        Assert.Equal("queue_full", body["error"]!["code"]!.GetValue<string>());
        Assert.Equal("requests", body["error"]!["type"]!.GetValue<string>());
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("loom_engine_active_requests{model=\"tiny\"} 1", (await server.GetAsync("/metrics")).Body);

        stream.Dispose();   // the client hangs up mid-stream
        var metrics = await MetricsWhenAsync(server, m => m.Contains("loom_engine_active_requests{model=\"tiny\"} 0"));
        Assert.Contains("loom_engine_active_requests{model=\"tiny\"} 0", metrics);
        Assert.Contains("loom_engine_queue_depth{model=\"tiny\"} 0", metrics);
        var (after, _, _) = await server.PostAsync("/v1/chat/completions", LongChat(stream: false, maxTokens: 2));
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task The_rate_limit_answers_429_with_retry_after_per_key()
    {
        await using var server = await ServerHarness.StartAsync(store => new LoomServerOptions
        {
            ModelsFolder = store, Port = 0, RateLimitPerMinute = 2,
        });
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync("/v1/models")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync("/v1/models")).Status);
        using var http = server.Http();
        var third = await http.GetAsync("/v1/models");
        Assert.Equal((HttpStatusCode)429, third.StatusCode);
        Assert.True(third.Headers.RetryAfter!.Delta >= TimeSpan.FromSeconds(1));
        var error = JsonNode.Parse(await third.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("rate_limit_exceeded", error["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await server.GetAsync("/healthz", key: "")).Status);   // open routes are not limited
    }

    [Fact]
    public async Task A_request_past_the_request_timeout_is_cancelled_with_504()
    {
        await using var server = await ServerHarness.StartAsync(store => new LoomServerOptions
        {
            ModelsFolder = store, Port = 0, MaxTokensPerRequest = 10_000_000, RequestTimeout = TimeSpan.FromSeconds(1),
            EngineFactory = model => new SerialCompletionEngine(model, 16),
        });
        // A +100 logit bias on "a" makes every token an "a", so the reply can never end by itself (a sampled end of turn
        // within the second would otherwise answer 200, as happened once under CI load).
        var request = LongChat(stream: false, maxTokens: 10_000_000);
        using (var tiny = Loom.Tests.AI.TinyChatModel.Create())
            request["logit_bias"] = new JsonObject { [tiny.Tokenizer.Encode("a").Single().ToString(CultureInfo.InvariantCulture)] = 100 };
        var (status, body, _) = await server.PostAsync("/v1/chat/completions", request);
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Equal("request_timeout", body["error"]!["code"]!.GetValue<string>());
        var metrics = await MetricsWhenAsync(server, m => m.Contains("loom_engine_active_requests{model=\"tiny\"} 0"));
        Assert.Contains("loom_engine_active_requests{model=\"tiny\"} 0", metrics);   // the engine stopped its work
    }

    [Fact]
    public async Task The_default_engine_batches_and_refuses_a_request_past_the_context_naming_max_tokens()
    {
        var options = new LoomServerOptions { ModelsFolder = ".", MaxBatchSize = 8, QueueLength = 3 };
        using (var model = AI.TinyChatModel.Create())
        using (var engine = Assert.IsType<ContinuousBatchingEngine>(options.CreateEngine(model)))
        {
            Assert.Equal(8, engine.Options.MaxBatchSize);
            Assert.Equal(3, engine.Options.QueueLimit);
        }
        await using var server = await ServerHarness.StartAsync(store => new LoomServerOptions
        {
            ModelsFolder = store, Port = 0, MaxTokensPerRequest = 1_000,
        });
        var (status, body, _) = await server.PostAsync("/v1/chat/completions", LongChat(stream: false, maxTokens: 1_000));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("max_tokens", body["error"]!["param"]!.GetValue<string>());
        Assert.Contains("exceed the model's context of", body["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stopping_the_server_lets_an_in_flight_stream_finish()
    {
        await using var server = await ServerHarness.StartAsync();
        using var http = server.Http();
        var (_, whole, _) = await server.PostAsync("/v1/chat/completions", LongChat(stream: false, maxTokens: 40));
        using var stream = await StartStreamAsync(http, LongChat(stream: true, maxTokens: 40));
        var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        var stopping = server.Server.StopAsync();
        var rest = await reader.ReadToEndAsync();
        await stopping;
        var events = (first + "\n" + rest).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        var text = string.Concat(events[..^1].Select(e => JsonNode.Parse(e)!["choices"]![0]!["delta"]!["content"]?.GetValue<string>()));
        Assert.Equal(whole["choices"]![0]!["message"]!["content"]!.GetValue<string>(), text);
    }

    [Fact]
    public async Task Metrics_count_requests_by_route_and_status_tokens_and_latency()
    {
        await using var server = await ServerHarness.StartAsync();
        var (_, body, _) = await server.PostAsync("/v1/chat/completions", LongChat(stream: false, maxTokens: 5));
        var unknown = LongChat(stream: false, maxTokens: 5);
        unknown["model"] = "nope";
        await server.PostAsync("/v1/chat/completions", unknown);
        var metrics = (await server.GetAsync("/metrics")).Body;
        Assert.Contains("loom_http_requests_total{route=\"/v1/chat/completions\",status=\"200\"} 1\n", metrics);
        Assert.Contains("loom_http_requests_total{route=\"/v1/chat/completions\",status=\"404\"} 1\n", metrics);
        Assert.Contains($"loom_generated_tokens_total{{model=\"tiny\"}} {body["usage"]!["completion_tokens"]}\n", metrics);
        Assert.Contains("loom_http_request_duration_seconds_count{route=\"/v1/chat/completions\"} 2\n", metrics);
        Assert.Contains("loom_http_request_duration_seconds_bucket{route=\"/v1/chat/completions\",le=\"+Inf\"} 2\n", metrics);
        Assert.Contains("# TYPE loom_generation_tokens_per_second gauge", metrics);
        Assert.Contains("loom_models_loaded 1\n", metrics);
    }
}
