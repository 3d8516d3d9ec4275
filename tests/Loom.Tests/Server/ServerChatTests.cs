#pragma warning disable OPENAI001   // ChatCompletionOptions.Seed is marked experimental in the SDK
using Loom.AI;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Text.Generation;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Loom.Tests.Server;

/// <summary>
/// <c>/v1/chat/completions</c> driven by the official OpenAI .NET SDK and by Microsoft.Extensions.AI's IChatClient over
/// it: a seeded reply equals the library's (<see cref="LoomChatClient"/>) for the same request, streaming gives the
/// same text and ends with usage, and log-probabilities come back in OpenAI's shape.
/// </summary>
public sealed class ServerChatTests
{
    private static readonly MeaiChatMessage[] Conversation = [new(ChatRole.System, "HELLO."), new(ChatRole.User, "hello")];

    private static OpenAI.Chat.ChatMessage[] SdkConversation() => [new SystemChatMessage("HELLO."), new UserChatMessage("hello")];

    private static async Task<ChatResponse> LibraryReplyAsync(string folder, ChatOptions options)
    {
        using var model = Checkpoint.Load(folder);
        using var client = new LoomChatClient(model.GetService<ITextGenerationModel>()!, "tiny", ChatPromptFormats.For(folder));
        return await client.GetResponseAsync(Conversation, options);
    }

    [Fact]
    public async Task A_seeded_sdk_reply_equals_the_librarys_reply_to_the_same_request()
    {
        await using var server = await ServerHarness.StartAsync();
        var chat = server.OpenAi().GetChatClient(ServerHarness.Model);
        var completion = (await chat.CompleteChatAsync(SdkConversation(),
            new ChatCompletionOptions { Temperature = 0.9f, Seed = 7, MaxOutputTokenCount = 15 })).Value;
        var library = await LibraryReplyAsync(server.ModelFolder, new ChatOptions { Temperature = 0.9f, Seed = 7, MaxOutputTokens = 15 });

        Assert.Equal(library.Text, completion.Content.Single().Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(ServerHarness.Model, completion.Model);
        Assert.Equal(library.Usage!.InputTokenCount, completion.Usage.InputTokenCount);
        Assert.Equal(library.Usage.OutputTokenCount, completion.Usage.OutputTokenCount);
        Assert.Equal(library.FinishReason == Microsoft.Extensions.AI.ChatFinishReason.Length ? OpenAI.Chat.ChatFinishReason.Length
            : OpenAI.Chat.ChatFinishReason.Stop, completion.FinishReason);
        var again = (await chat.CompleteChatAsync(SdkConversation(),
            new ChatCompletionOptions { Temperature = 0.9f, Seed = 7, MaxOutputTokenCount = 15 })).Value;
        Assert.Equal(completion.Content.Single().Text, again.Content.Single().Text);
    }

    [Fact]
    public async Task Streaming_through_the_sdk_gives_the_whole_replys_text_and_ends_with_usage()
    {
        await using var server = await ServerHarness.StartAsync();
        var chat = server.OpenAi().GetChatClient(ServerHarness.Model);
        var options = new ChatCompletionOptions { Temperature = 0.8f, Seed = 3, MaxOutputTokenCount = 20 };
        var whole = (await chat.CompleteChatAsync(SdkConversation(), options)).Value;
        var text = new System.Text.StringBuilder();
        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in chat.CompleteChatStreamingAsync(SdkConversation(), options))
        {
            updates.Add(update);
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
        }
        Assert.Equal(whole.Content.Single().Text, text.ToString());
        Assert.Equal(whole.FinishReason, updates.Single(u => u.FinishReason is not null).FinishReason);
        var usage = updates.Last().Usage;   // the SDK asks for stream_options.include_usage
        Assert.NotNull(usage);
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.Single(updates.Select(u => u.CompletionId).Distinct());
    }

    [Fact]
    public async Task Logprobs_come_back_per_token_with_the_requested_alternatives()
    {
        await using var server = await ServerHarness.StartAsync();
        var chat = server.OpenAi().GetChatClient(ServerHarness.Model);
        var completion = (await chat.CompleteChatAsync(SdkConversation(), new ChatCompletionOptions
        {
            Temperature = 0, MaxOutputTokenCount = 8, IncludeLogProbabilities = true, TopLogProbabilityCount = 3,
        })).Value;
        var tokens = completion.ContentTokenLogProbabilities;
        Assert.Equal(completion.Usage.OutputTokenCount, tokens.Count);   // the tiny model has no end token
        Assert.Equal(completion.Content.Single().Text, string.Concat(tokens.Select(t => t.Token)));
        foreach (var token in tokens)
        {
            Assert.Equal(3, token.TopLogProbabilities.Count);
            Assert.True(token.LogProbability <= 0);
            // Greedy: the chosen token is the most likely one, the first alternative.
            Assert.Equal(token.TopLogProbabilities[0].Token, token.Token);
            Assert.Equal(token.TopLogProbabilities[0].LogProbability, token.LogProbability, 6);
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(token.Token), token.Utf8Bytes!.Value.ToArray());
        }
    }

    [Fact]
    public async Task Microsoft_Extensions_AI_over_the_openai_client_gets_the_librarys_reply()
    {
        await using var server = await ServerHarness.StartAsync();
        IChatClient client = server.OpenAi().GetChatClient(ServerHarness.Model).AsIChatClient();
        var options = new ChatOptions { Temperature = 0.7f, Seed = 11, MaxOutputTokens = 12 };
        var response = await client.GetResponseAsync(Conversation, options);
        var library = await LibraryReplyAsync(server.ModelFolder, options);
        Assert.Equal(library.Text, response.Text);
        Assert.Equal(library.Usage!.OutputTokenCount, response.Usage!.OutputTokenCount);

        var streamed = new System.Text.StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync(Conversation, options))
            streamed.Append(update.Text);
        Assert.Equal(library.Text, streamed.ToString());
    }
}
