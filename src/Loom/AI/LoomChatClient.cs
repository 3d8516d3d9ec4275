using System.Runtime.CompilerServices;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Microsoft.Extensions.AI;

namespace Loom.AI;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IChatClient"/> over any Loom text model (Loom-trained or an HF folder): the
/// conversation becomes a prompt through <see cref="IChatPromptFormat"/> (the model's chat template, or Loom's plain
/// format), <see cref="ChatOptions"/> become decoding settings, and the reply streams token by token. The model runs on
/// a dedicated thread (TorchSharp dispose scopes are thread-static) and one request at a time; cancelling stops
/// generation after the current token. The client does not own the model: dispose the model yourself.
/// </summary>
public sealed class LoomChatClient : IChatClient
{
    private readonly ITextGenerationModel model;
    private readonly IChatPromptFormat format;
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    /// <param name="model">The text model; the client does not dispose it.</param>
    /// <param name="modelId">The id responses carry (a folder name).</param>
    /// <param name="format">How messages become a prompt (Loom's plain format by default).</param>
    /// <param name="defaults">Decoding settings that <see cref="ChatOptions"/> adjust (the model's defaults by default).</param>
    public LoomChatClient(ITextGenerationModel model, string modelId, IChatPromptFormat? format = null,
        GenerationSettings? defaults = null)
    {
        this.model = model;
        this.format = format ?? new PlainChatPromptFormat();
        this.defaults = defaults?.Clone();
        Metadata = new ChatClientMetadata("loom", defaultModelId: modelId);
    }

    private readonly GenerationSettings? defaults;

    public ChatClientMetadata Metadata { get; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var text = new System.Text.StringBuilder();
        ChatResponseUpdate? last = null;
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            text.Append(update.Text);
            last = update;
        }
        var usage = last?.Contents.OfType<UsageContent>().FirstOrDefault()?.Details;
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString()))
        {
            FinishReason = last?.FinishReason,
            Usage = usage,
            ModelId = Metadata.DefaultModelId,
            ResponseId = last?.ResponseId,
            CreatedAt = last?.CreatedAt,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = format.Format(messages.ToList());
        var settings = ChatOptionsSettings.Apply(defaults ?? model.DefaultSettings(), options, format.StopSequences);
        var generator = model.CreateGenerator();
        int promptTokens = prompt.Length == 0 ? 1 : generator.Tokenizer.Encode(prompt).Length;
        string id = Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        await oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int outputTokens = 0, lastToken = -1;
            await foreach (var token in generator.StreamAsync(prompt, settings, cancellationToken).ConfigureAwait(false))
            {
                if (token.TokenId >= 0) (outputTokens, lastToken) = (outputTokens + 1, token.TokenId);
                if (token.Text.Length > 0)
                    yield return new ChatResponseUpdate(ChatRole.Assistant, token.Text)
                    {
                        ResponseId = id, CreatedAt = created, ModelId = Metadata.DefaultModelId,
                    };
            }
            cancellationToken.ThrowIfCancellationRequested();
            // A reply that ended before the token limit, or at it with an end token, stopped; otherwise the limit cut it.
            bool stopped = outputTokens < settings.MaxNewTokens || settings.EosTokenIds.Contains(lastToken);
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails
            {
                InputTokenCount = promptTokens, OutputTokenCount = outputTokens, TotalTokenCount = promptTokens + outputTokens,
            })])
            {
                ResponseId = id,
                CreatedAt = created,
                ModelId = Metadata.DefaultModelId,
                FinishReason = stopped ? ChatFinishReason.Stop : ChatFinishReason.Length,
            };
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType.IsInstanceOfType(model) ? model
        : null;

    public void Dispose() => oneAtATime.Dispose();
}
