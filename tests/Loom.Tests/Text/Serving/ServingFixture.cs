using Loom.Models.Language;
using Loom.Models.Transformer;
using Loom.Tests.Text.Generation;
using Loom.Tests.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Text.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Text.Serving;

/// <summary>Tiny models (context 32, or 128) and helpers for the serving tests: a completion's updates, and the same request
/// generated alone by <see cref="TextGenerator"/>.</summary>
internal sealed class ServingFixture : IDisposable
{
    public const int Vocab = 40;

    /// <summary>A GPT of context 128 (the others have 32), for a shared state that must grow.</summary>
    public const string LongContext = "gpt-128";
    private readonly nn.Module module;

    public ServingFixture(string kind)
    {
        module = kind == LongContext
            ? new DecoderTransformer(TransformerConfig.Gpt2(Vocab, 128, 2, 2, 16), seed: 3)
            : CacheAndPaddingTests.Create(kind, Vocab);
        module.eval();
        Model = (ICausalLanguageModel)module;
        Generator = new TextGenerator(Model, new IdTokenizer(Vocab), 0);
    }

    public ICausalLanguageModel Model { get; }
    public TextGenerator Generator { get; }

    /// <summary>Prompt <paramref name="index"/> of a fixed family with lengths 1, 4, 7, 10, 3, 6, …</summary>
    public static int[] Prompt(int index) =>
        Enumerable.Range(0, 1 + index * 3 % 10).Select(j => (index * 7 + j * 5 + 1) % Vocab).ToArray();

    public static GenerationSettings Greedy(int tokens) => new() { DoSample = false, MaxNewTokens = tokens };

    public GenerationOutput Alone(int[] prompt, GenerationSettings settings) => Generator.Generate([prompt], settings)[0];

    public ContinuousBatchingEngine Engine(ICausalLanguageModel? model = null, int maxBatchSize = 64, int queueLimit = 64) =>
        new(model ?? Model, Generator.Tokenizer, Generator.StartTokenId,
            new ContinuousBatchingOptions { MaxBatchSize = maxBatchSize, QueueLimit = queueLimit });

    public static async Task<List<CompletionUpdate>> CollectAsync(ITextCompletionEngine engine, int[] prompt, GenerationSettings settings,
        CancellationToken cancellation = default)
    {
        var updates = new List<CompletionUpdate>();
        await foreach (var update in engine.CompleteAsync(new CompletionRequest(prompt, settings), cancellation))
            updates.Add(update);
        return updates;
    }

    public static List<int> TokenIds(IEnumerable<CompletionUpdate> updates) =>
        updates.Where(u => u.Token is { TokenId: >= 0 }).Select(u => u.Token!.TokenId).ToList();

    public static string Text(IEnumerable<CompletionUpdate> updates) => string.Concat(updates.Select(u => u.Token?.Text ?? ""));

    public void Dispose() => module.Dispose();
}
