using System.Text;
using System.Text.Json.Nodes;
using Loom.AI;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Language;
using Loom.Text.Generation;

namespace Loom.Tests.Server;

/// <summary>
/// <c>/v1/completions</c> (raw HTTP: the SDK has no legacy completions client) continues prompts exactly as the library's
/// decoding engine does, streams the same text, reports logprobs in OpenAI's shape and runs n choices per prompt;
/// <c>/v1/embeddings</c> (through the SDK, which asks for base64, and as floats) equals the library's embedding generator.
/// </summary>
public sealed class ServerCompletionsAndEmbeddingsTests
{
    [Fact]
    public async Task A_greedy_completion_is_the_decoding_engines_continuation_with_logprobs()
    {
        await using var server = await ServerHarness.StartAsync();
        var (status, body, _) = await server.PostAsync("/v1/completions", new JsonObject
        {
            ["model"] = "tiny", ["prompt"] = "hello wor", ["max_tokens"] = 10, ["temperature"] = 0, ["logprobs"] = 2,
        });
        Assert.Equal(200, (int)status);
        using var model = Checkpoint.Load(server.ModelFolder);
        var text = model.GetService<ITextGenerationModel>()!;
        var settings = text.DefaultSettings(10);
        settings.DoSample = false;
        var expected = text.CreateGenerator().Generate(["hello wor"], settings)[0];
        var choice = body["choices"]![0]!;
        Assert.Equal("text_completion", body["object"]!.GetValue<string>());
        Assert.Equal(expected.Text, choice["text"]!.GetValue<string>());
        Assert.Equal(expected.FinishReason == "length" ? "length" : "stop", choice["finish_reason"]!.GetValue<string>());
        var logprobs = choice["logprobs"]!;
        Assert.Equal(expected.Text, string.Concat(logprobs["tokens"]!.AsArray().Select(t => t!.GetValue<string>())));
        Assert.All(logprobs["top_logprobs"]!.AsArray(), top => Assert.Equal(2, top!.AsObject().Count));
        Assert.Equal(0, logprobs["text_offset"]![0]!.GetValue<int>());
        Assert.Equal(9, body["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(10, body["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_streamed_completion_has_the_whole_text_then_usage_then_done()
    {
        await using var server = await ServerHarness.StartAsync();
        var request = new JsonObject { ["model"] = "tiny", ["prompt"] = "ok", ["max_tokens"] = 12, ["seed"] = 5 };
        var (_, whole, _) = await server.PostAsync("/v1/completions", request);
        request["stream"] = true;
        request["stream_options"] = new JsonObject { ["include_usage"] = true };
        using var http = server.Http();
        var content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
        var response = await http.PostAsync("/v1/completions", content);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        var streamed = string.Concat(chunks.SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["text"]!.GetValue<string>()));
        Assert.Equal(whole["choices"]![0]!["text"]!.GetValue<string>(), streamed);
        Assert.Equal(whole["usage"]!.ToJsonString(), chunks[^1]["usage"]!.ToJsonString());
        Assert.Empty(chunks[^1]["choices"]!.AsArray());
    }

    [Fact]
    public async Task Several_prompts_with_n_choices_give_prompts_times_n_choices_and_seeded_choices_differ_by_seed()
    {
        await using var server = await ServerHarness.StartAsync();
        var (status, body, _) = await server.PostAsync("/v1/completions", new JsonObject
        {
            ["model"] = "tiny", ["prompt"] = new JsonArray("ab", "cd"), ["n"] = 2, ["max_tokens"] = 6, ["seed"] = 1,
        });
        Assert.Equal(200, (int)status);
        var choices = body["choices"]!.AsArray();
        Assert.Equal([0, 1, 2, 3], choices.Select(c => c!["index"]!.GetValue<int>()));
        Assert.Equal(24, body["usage"]!["completion_tokens"]!.GetValue<int>());
        Assert.Equal(4, body["usage"]!["prompt_tokens"]!.GetValue<int>());
        // Choice 0 of a prompt is that prompt alone with the request's seed.
        var (_, single, _) = await server.PostAsync("/v1/completions", new JsonObject
        {
            ["model"] = "tiny", ["prompt"] = "cd", ["max_tokens"] = 6, ["seed"] = 1,
        });
        Assert.Equal(single["choices"]![0]!["text"]!.GetValue<string>(), choices[2]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Embeddings_through_the_sdk_and_as_floats_equal_the_librarys_embedding_generator()
    {
        await using var server = await ServerHarness.StartAsync();
        string[] texts = ["hello world", "oh hi"];
        var sdk = (await server.OpenAi().GetEmbeddingClient("tiny").GenerateEmbeddingsAsync(texts)).Value;   // base64 on the wire
        using var model = Checkpoint.Load(server.ModelFolder);
        using var library = new LoomEmbeddingGenerator(model.GetService<NeuralLanguageModel>()!, "tiny");
        var expected = await library.GenerateAsync(texts);
        Assert.Equal(2, sdk.Count);
        for (int i = 0; i < texts.Length; i++)
            Assert.Equal(expected[i].Vector.ToArray(), sdk[i].ToFloats().ToArray());

        var (status, body, _) = await server.PostAsync("/v1/embeddings", new JsonObject
        {
            ["model"] = "tiny", ["input"] = "hello world", ["encoding_format"] = "float",
        });
        Assert.Equal(200, (int)status);
        var floats = body["data"]![0]!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        Assert.Equal(expected[0].Vector.ToArray(), floats);
        Assert.Equal(11, body["usage"]!["prompt_tokens"]!.GetValue<int>());
    }
}
