using Loom.AI;
using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Decoding;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Loom.Tests.AI;

/// <summary>
/// <see cref="LoomChatClient"/> as Microsoft.Extensions.AI apps use it: replies equal the decoding engine's on the
/// formatted prompt, streaming equals non-streaming, options map onto decoding settings, usage and finish reasons are
/// right, cancellation stops generation, and it works behind MEAI middleware (cache, logging), through DI and from a
/// Semantic Kernel kernel.
/// </summary>
public sealed class LoomChatClientTests
{
    private static readonly ChatMessage[] Conversation =
        [new(ChatRole.System, "HELLO."), new(ChatRole.User, "hello"), new(ChatRole.Assistant, "oh hi"), new(ChatRole.User, "ok?")];

    private static ChatOptions Greedy(int tokens) => new() { Temperature = 0, MaxOutputTokens = tokens };

    [Fact]
    public async Task A_greedy_reply_is_the_decoding_engines_continuation_of_the_formatted_prompt()
    {
        using var model = TinyChatModel.Create();
        using var client = new LoomChatClient(model, "tiny");
        var response = await client.GetResponseAsync(Conversation, Greedy(12));

        var prompt = new PlainChatPromptFormat().Format(Conversation);
        Assert.Equal("HELLO.hello\noh hi\n\nok?\n", prompt);
        var settings = model.DefaultSettings(12);
        settings.DoSample = false;
        settings.Stop.Add("\n\n");
        var expected = model.CreateGenerator().Generate([prompt], settings)[0];
        Assert.Equal(expected.Text, response.Text);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal(model.Tokenizer.Encode(prompt).Length, response.Usage!.InputTokenCount);
        Assert.Equal(expected.TokenIds.Count, response.Usage.OutputTokenCount);
        Assert.Equal(expected.FinishReason == "length" ? ChatFinishReason.Length : ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal("tiny", response.ModelId);
    }

    [Fact]
    public async Task Streaming_gives_the_same_text_and_ends_with_usage()
    {
        using var model = TinyChatModel.Create();
        using var client = new LoomChatClient(model, "tiny");
        var options = new ChatOptions { Temperature = 0.9f, TopP = 0.9f, TopK = 10, MaxOutputTokens = 20, Seed = 11 };
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Conversation, options))
            updates.Add(update);
        var whole = await client.GetResponseAsync(Conversation, options);
        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.True(updates.Count >= 2);
        Assert.NotNull(updates[^1].FinishReason);
        Assert.Single(updates[^1].Contents.OfType<UsageContent>());
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());

        var again = await client.GetResponseAsync(Conversation, options);
        Assert.Equal(whole.Text, again.Text);   // the same seed samples the same reply
    }

    [Fact]
    public async Task Options_map_onto_decoding_settings_and_unsupported_ones_are_refused()
    {
        var settings = ChatOptionsSettings.Apply(new GenerationSettings(), new ChatOptions
        {
            Temperature = 0.5f, TopP = 0.8f, TopK = 7, MaxOutputTokens = 9, Seed = 3, FrequencyPenalty = 0.25f,
            PresencePenalty = 0.5f, StopSequences = ["END"],
        }, ["\n\n"]);
        Assert.Equal((0.5, 0.8, 7, 9, 3L), (settings.Temperature, Math.Round(settings.TopP, 5), settings.TopK, settings.MaxNewTokens,
            settings.Seed!.Value));
        Assert.Equal((0.25, 0.5), (settings.FrequencyPenalty, settings.PresencePenalty));
        Assert.Equal(["\n\n", "END"], settings.Stop);
        Assert.False(ChatOptionsSettings.Apply(new GenerationSettings(), new ChatOptions { Temperature = 0 }, []).DoSample);

        using var model = TinyChatModel.Create();
        using var client = new LoomChatClient(model, "tiny");
        var tools = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "one")] };
        var error = await Assert.ThrowsAsync<LoomUsageException>(() => client.GetResponseAsync(Conversation, tools));
        Assert.StartsWith("ChatOptions.Tools:", error.Message);
    }

    [Fact]
    public async Task Cancelling_stops_generation()
    {
        using var model = TinyChatModel.Create();
        using var client = new LoomChatClient(model, "tiny");
        using var cancel = new CancellationTokenSource();
        int received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(Conversation,
                               new ChatOptions { MaxOutputTokens = 60, Seed = 1, StopSequences = [] }, cancel.Token))
            {
                if (++received == 3) cancel.Cancel();
            }
        });
        Assert.InRange(received, 3, 10);
        var next = await client.GetResponseAsync(Conversation, Greedy(4));   // the client is free again
        Assert.NotNull(next.FinishReason);
    }

    [Fact]
    public async Task Behind_MEAI_caching_and_logging_middleware_a_repeated_request_is_served_from_the_cache()
    {
        using var model = TinyChatModel.Create();
        using var loom = new LoomChatClient(model, "tiny");
        var counting = new CountingChatClient(loom);
        var logs = new CollectingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        using var client = new ChatClientBuilder(counting).UseDistributedCache(cache).UseLogging(loggers).Build();
        var first = await client.GetResponseAsync(Conversation, Greedy(8));
        var second = await client.GetResponseAsync(Conversation, Greedy(8));
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(1, counting.Calls);
        Assert.Contains(logs.Messages, m => m.Contains("GetResponseAsync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddLoomChatClient_registers_a_checkpoint_folder_as_the_apps_chat_client()
    {
        using var tmp = new TempFolder();
        TinyChatModel.Save(tmp.File("tiny"));
        var services = new ServiceCollection();
        services.AddLoomChatClient(tmp.File("tiny")).UseFunctionInvocation();
        services.AddLoomEmbeddingGenerator(tmp.File("tiny"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var response = await client.GetResponseAsync(Conversation, Greedy(6));
        using var direct = TinyChatModel.Create();
        using var expected = new LoomChatClient(direct, "tiny");
        Assert.Equal((await expected.GetResponseAsync(Conversation, Greedy(6))).Text, response.Text);
        Assert.Equal("tiny", client.GetService<ChatClientMetadata>()!.DefaultModelId);
        var embeddings = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.Equal(32, (await embeddings.GenerateVectorAsync("hello")).Length);
    }

    [Fact]
    public async Task A_semantic_kernel_kernel_calls_the_loom_client()
    {
        using var model = TinyChatModel.Create();
        using var loom = new LoomChatClient(model, "tiny");
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(loom.AsChatCompletionService());
        var kernel = builder.Build();
        var settings = new PromptExecutionSettings
        {
            ExtensionData = new Dictionary<string, object> { ["temperature"] = 0, ["max_tokens"] = 7 },
        };
        var result = await kernel.InvokePromptAsync("hello", new KernelArguments(settings));
        var expected = await loom.GetResponseAsync([new ChatMessage(ChatRole.User, "hello")], Greedy(7));
        Assert.Equal(expected.Text, result.ToString());
    }

    /// <summary>Counts the calls that reach the inner client.</summary>
    private sealed class CountingChatClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public int Calls { get; private set; }

        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            Calls++;
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Collector(Messages);

        public void Dispose()
        {
        }

        private sealed class Collector(List<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                lock (messages) messages.Add(formatter(state, exception));
            }
        }
    }
}
