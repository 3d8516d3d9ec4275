using Loom.Core;
using Loom.Safety;
using Loom.Safety.Images;
using Loom.Text.Generation;
using Loom.Text.Serving;
using Loom.Watermarks.Images;

namespace Loom.Server;

/// <summary>
/// What a Loom server serves and its limits. Every option has a safe default except <see cref="ModelsFolder"/>; the
/// server binds to loopback unless <see cref="Host"/> says otherwise and requires API keys unless <see cref="NoAuth"/>.
/// </summary>
/// <remarks>
/// A class rather than a record: C# forbids a member named <c>Clone</c> in records. The server clones the options it is
/// given, so changing them afterwards changes nothing.
/// </remarks>
public sealed class LoomServerOptions
{
    /// <summary>The model store: each subfolder holding a Loom checkpoint or an HF model folder is a model, its id the
    /// folder name. The API key database lives here too.</summary>
    public string ModelsFolder { get; init; } = "";

    /// <summary>The address to listen on; loopback by default (0.0.0.0 or a public address exposes the server).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (<see cref="LoomServer.BaseAddress"/> tells which).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Serve without API keys (every route open). Without it a store with no keys is refused.</summary>
    public bool NoAuth { get; init; }

    /// <summary>Most models held in memory at once; the least recently used one is evicted beyond it.</summary>
    public int MaxModels { get; init; } = 2;

    /// <summary>Most bytes of weight files held in memory at once (0: no byte bound); a single larger model still loads.</summary>
    public long MaxModelBytes { get; init; }

    /// <summary>Largest request body accepted, in bytes (413 beyond it).</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>Most tokens one request may ask for (max_tokens × n); also the default max_tokens of a chat request.</summary>
    public int MaxTokensPerRequest { get; init; } = 1024;

    /// <summary>Requests that may wait per model while others decode; one more is answered 429 with Retry-After.</summary>
    public int QueueLength { get; init; } = 16;

    /// <summary>Most text requests of one model decoding together (continuous batching); more wait in the queue.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>The dtype text transformers compute in (float32, bfloat16 or float16; <see cref="ComputeDtype"/>).</summary>
    public TorchSharp.torch.ScalarType Dtype { get; init; } = TorchSharp.torch.ScalarType.Float32;

    /// <summary>LoRA adapter folders by model id (peft's files, <c>loom finetune</c>), applied when that model loads.</summary>
    public IReadOnlyDictionary<string, string> Adapters { get; init; } = new Dictionary<string, string>();

    /// <summary>Draft language models by model id (checkpoint or HF folders over the same tokenizer, loaded with the model):
    /// that model's text requests decode speculatively (<see cref="SpeculativeDraft"/>: the draft proposes
    /// <see cref="DraftTokens"/> tokens, the model checks them in one pass, outputs keep the model's own distribution), one
    /// request at a time instead of continuously batched.</summary>
    public IReadOnlyDictionary<string, string> Drafts { get; init; } = new Dictionary<string, string>();

    /// <summary>Tokens a draft in <see cref="Drafts"/> proposes per round.</summary>
    public int DraftTokens { get; init; } = 4;

    /// <summary>Requests per minute per API key (per client address without keys); 0 turns the limit off.</summary>
    public int RateLimitPerMinute { get; init; }

    /// <summary>Longest a request may take before it is cancelled.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long stopping waits for in-flight requests (streams included) to finish.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What the moderation stage looks for in text outputs and what it does (flag, redact, block); by default it
    /// flags personal data and changes nothing. Null turns moderation off.</summary>
    public ModerationOptions? Moderation { get; init; } = new();

    /// <summary>A green-list watermark every text completion gets (<see cref="Loom.Text.Watermarks.WatermarkOptions"/>);
    /// null = the model's own generation settings decide.</summary>
    public Loom.Text.Watermarks.WatermarkOptions? Watermark { get; init; }

    /// <summary>The invisible watermark put on every generated image (<c>/v1/images/generations</c>, <c>/v1/loom/sample</c>):
    /// on by default with the public key <see cref="ImageWatermarkOptions.DefaultKey"/>.</summary>
    public ImageWatermarkOptions ImageWatermark { get; init; } = new();

    /// <summary>
    /// Training images (<c>fashion-mnist</c> or a folder of PNGs) that generated images are checked against: a near-copy
    /// comes back with a <c>loom_moderation</c> flag naming the training image, and without its pixels when
    /// <see cref="ImageMemorization"/>'s action is Redact or Block. Only models making images of the same size are checked.
    /// Null: no check.
    /// </summary>
    public string? ImageMemorizationData { get; init; }

    /// <summary>The threshold and action of the near-copy check of <see cref="ImageMemorizationData"/>.</summary>
    public ImageMemorizationOptions ImageMemorization { get; init; } = new();

    /// <summary>
    /// Makes the engine that serves a model's text requests (one per loaded model, disposed when the model is evicted);
    /// null gives a <see cref="ContinuousBatchingEngine"/> with <see cref="MaxBatchSize"/> rows and <see cref="QueueLength"/>
    /// waiting (a <see cref="SerialCompletionEngine"/> decodes one request at a time instead).
    /// </summary>
    public Func<ITextGenerationModel, ITextCompletionEngine>? EngineFactory { get; init; }

    /// <summary>The engine for <paramref name="model"/>, from <see cref="EngineFactory"/> or the default.</summary>
    public ITextCompletionEngine CreateEngine(ITextGenerationModel model) =>
        EngineFactory?.Invoke(model) ?? new ContinuousBatchingEngine(model.CreateGenerator(),
            new ContinuousBatchingOptions { MaxBatchSize = MaxBatchSize, QueueLimit = QueueLength });

    /// <summary>The engine for <paramref name="model"/> with a speculative <paramref name="draft"/>: a
    /// <see cref="SerialCompletionEngine"/> over the model's generator with the draft set (<see cref="EngineFactory"/> still
    /// wins when given); without a draft, <see cref="CreateEngine(ITextGenerationModel)"/>.</summary>
    public ITextCompletionEngine CreateEngine(ITextGenerationModel model, SpeculativeDraft? draft) =>
        draft is null || EngineFactory is not null
            ? CreateEngine(model)
            : new SerialCompletionEngine(model.CreateGenerator().WithDraft(draft), QueueLength);

    /// <summary>A copy (the factory delegate and <see cref="Moderation"/> are shared; the server's moderation stage copies
    /// the moderation options when it starts).</summary>
    public LoomServerOptions Clone() => (LoomServerOptions)MemberwiseClone();

    /// <summary>Throws <see cref="LoomUsageException"/> naming the first option that cannot be used.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelsFolder))
            throw LoomUsageException.ForOption(nameof(ModelsFolder), "the server needs a model store folder");
        if (!Directory.Exists(ModelsFolder))
            throw LoomUsageException.ForOption(nameof(ModelsFolder), $"{ModelsFolder} is not a folder");
        if (string.IsNullOrWhiteSpace(Host))
            throw LoomUsageException.ForOption(nameof(Host), "must name an address to listen on");
        Require(Port is >= 0 and <= 65535, nameof(Port), $"must be in [0, 65535] (got {Port})");
        Require(MaxModels >= 1, nameof(MaxModels), $"must be at least 1 (got {MaxModels})");
        Require(MaxModelBytes >= 0, nameof(MaxModelBytes), $"must not be negative (got {MaxModelBytes}); 0 turns it off");
        Require(MaxRequestBodyBytes >= 1024, nameof(MaxRequestBodyBytes), $"must be at least 1024 (got {MaxRequestBodyBytes})");
        Require(MaxTokensPerRequest >= 1, nameof(MaxTokensPerRequest), $"must be at least 1 (got {MaxTokensPerRequest})");
        Require(QueueLength >= 0, nameof(QueueLength), $"must not be negative (got {QueueLength})");
        Require(MaxBatchSize >= 1, nameof(MaxBatchSize), $"must be at least 1 (got {MaxBatchSize})");
        ComputeDtype.Name(Dtype);   // throws naming Dtype for anything but float32, bfloat16 or float16
        foreach (var (id, folder) in Adapters)
        {
            Require(Directory.Exists(Path.Combine(ModelsFolder, id)), nameof(Adapters), $"no model '{id}' in {ModelsFolder}");
            Require(Directory.Exists(folder), nameof(Adapters), $"{folder} (for model '{id}') is not a folder");
        }
        foreach (var (id, folder) in Drafts)
        {
            Require(Directory.Exists(Path.Combine(ModelsFolder, id)), nameof(Drafts), $"no model '{id}' in {ModelsFolder}");
            Require(Directory.Exists(folder), nameof(Drafts), $"{folder} (the draft for '{id}') is not a folder");
        }
        Require(DraftTokens >= 1, nameof(DraftTokens), $"must be at least 1 (got {DraftTokens})");
        Moderation?.Validate();
        ImageMemorization.Validate();
        Require(RateLimitPerMinute >= 0, nameof(RateLimitPerMinute), $"must not be negative (got {RateLimitPerMinute}); 0 turns it off");
        Require(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), $"must be positive (got {RequestTimeout.TotalSeconds} s)");
        Require(ShutdownTimeout >= TimeSpan.Zero, nameof(ShutdownTimeout), $"must not be negative (got {ShutdownTimeout.TotalSeconds} s)");
        Watermark?.Validate();
        ImageWatermark.Validate();
    }

    private static void Require(bool condition, string option, string problem)
    {
        if (!condition)
            throw LoomUsageException.ForOption(option, problem);
    }
}
