using System.Text;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Safety;
using Loom.Server;

namespace Loom.Tests.Server;

/// <summary>
/// The moderation stage on the server's text routes: flag keeps the text and adds <c>loom_moderation</c>; redact and
/// block never let withheld text reach the client, whole or streamed (block finishes with <c>content_filter</c>).
/// A pattern matching any text makes every reply flagged whatever the tiny model says.
/// </summary>
public sealed class ServerModerationTests
{
    private const string AnyText = "(?s).+";

    private static Task<ServerHarness> StartAsync(ModerationAction action) => ServerHarness.StartAsync(store => new LoomServerOptions
    {
        ModelsFolder = store, Port = 0, Moderation = new ModerationOptions { BlockedPatterns = [AnyText], Action = action },
    });

    private static JsonObject Chat(bool stream = false) => new()
    {
        ["model"] = ServerHarness.Model, ["max_tokens"] = 12, ["seed"] = 4, ["stream"] = stream, ["logprobs"] = true,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello" }),
    };

    private static async Task<List<JsonNode>> StreamAsync(ServerHarness server, string path, JsonObject request)
    {
        using var http = server.Http();
        var response = await http.PostAsync(path, new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        return events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
    }

    private static string ChatText(IEnumerable<JsonNode> chunks) => string.Concat(chunks.SelectMany(c => c["choices"]!.AsArray())
        .Select(c => c!["delta"]!["content"]?.GetValue<string>() ?? ""));

    [Fact]
    public async Task Flag_keeps_the_reply_and_reports_the_flags_whole_and_streamed()
    {
        string plain;
        await using (var unmoderated = await ServerHarness.StartAsync(store => new LoomServerOptions
        {
            ModelsFolder = store, Port = 0, Moderation = null,
        }))
            plain = (await unmoderated.PostAsync("/v1/chat/completions", Chat())).Body["choices"]![0]!["message"]!["content"]!
                .GetValue<string>();
        await using var server = await StartAsync(ModerationAction.Flag);
        var choice = (await server.PostAsync("/v1/chat/completions", Chat())).Body["choices"]![0]!;
        Assert.Equal(plain, choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal("flagged", choice["loom_moderation"]!["verdict"]!.GetValue<string>());
        var flag = choice["loom_moderation"]!["flags"]![0]!;
        Assert.Equal(ContentCategories.BlockedPattern, flag["category"]!.GetValue<string>());
        Assert.Equal(plain.Length, flag["length"]!.GetValue<int>());

        var chunks = await StreamAsync(server, "/v1/chat/completions", Chat(stream: true));
        Assert.Equal(plain, ChatText(chunks));
        var last = chunks.SelectMany(c => c["choices"]!.AsArray()).Single(c => c!["finish_reason"] is not null)!;
        Assert.Equal("flagged", last["loom_moderation"]!["verdict"]!.GetValue<string>());
    }

    [Fact]
    public async Task Redact_replaces_the_text_and_its_logprobs_whole_and_streamed()
    {
        await using var server = await StartAsync(ModerationAction.Redact);
        var choice = (await server.PostAsync("/v1/chat/completions", Chat())).Body["choices"]![0]!;
        Assert.Equal("[REDACTED blocked.pattern]", choice["message"]!["content"]!.GetValue<string>());
        Assert.Empty(choice["logprobs"]!["content"]!.AsArray());
        Assert.Equal("redacted", choice["loom_moderation"]!["verdict"]!.GetValue<string>());

        var chunks = await StreamAsync(server, "/v1/chat/completions", Chat(stream: true));
        Assert.Equal("[REDACTED blocked.pattern]", ChatText(chunks));
        Assert.All(chunks.SelectMany(c => c["choices"]!.AsArray()), c => Assert.Empty(c!["logprobs"]?["content"]?.AsArray() ?? []));

        var completion = (await server.PostAsync("/v1/completions", new JsonObject
        {
            ["model"] = ServerHarness.Model, ["prompt"] = "hi", ["max_tokens"] = 8, ["seed"] = 1,
        })).Body["choices"]![0]!;
        Assert.Equal("[REDACTED blocked.pattern]", completion["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Block_withholds_the_reply_and_finishes_with_content_filter()
    {
        await using var server = await StartAsync(ModerationAction.Block);
        var choice = (await server.PostAsync("/v1/chat/completions", Chat())).Body["choices"]![0]!;
        Assert.Equal("", choice["message"]!["content"]!.GetValue<string>());
        Assert.Equal("content_filter", choice["finish_reason"]!.GetValue<string>());
        Assert.Equal("blocked", choice["loom_moderation"]!["verdict"]!.GetValue<string>());

        var chunks = await StreamAsync(server, "/v1/chat/completions", Chat(stream: true));
        Assert.Equal("", ChatText(chunks));
        Assert.Equal("content_filter", chunks.SelectMany(c => c["choices"]!.AsArray())
            .Single(c => c!["finish_reason"] is not null)!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_moderation_options_stop_the_server_from_starting_naming_the_option()
    {
        using var store = new Support.TempFolder();
        var error = await Assert.ThrowsAsync<LoomUsageException>(() => LoomServer.StartAsync(new LoomServerOptions
        {
            ModelsFolder = store.Path, Port = 0, NoAuth = true, Moderation = new ModerationOptions { MinScore = 2 },
        }));
        Assert.Equal(nameof(ModerationOptions.MinScore), error.Option);
    }
}
