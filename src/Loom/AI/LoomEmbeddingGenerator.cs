using Loom.Core;
using Loom.Models;
using Loom.Models.Language;
using Loom.Models.Transformer;
using Microsoft.Extensions.AI;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.AI;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> over a Loom transformer language model:
/// a text's embedding is the mean over its tokens of the last layer's normalised hidden states (the vectors the output
/// head reads), L2-normalised, so cosine similarity is a dot product. Texts longer than the model's context keep their
/// first tokens; an empty text embeds the model's start token. Runs on a dedicated thread; the generator does not own
/// the model.
/// </summary>
public sealed class LoomEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly NeuralLanguageModel model;
    private readonly DecoderTransformer transformer;

    public LoomEmbeddingGenerator(NeuralLanguageModel model, string modelId)
    {
        this.model = model;
        transformer = model.Network as DecoderTransformer
            ?? throw new LoomUsageException(
                $"embeddings need a transformer language model; a '{model.Kind}' network has no hidden states here");
        Metadata = new EmbeddingGeneratorMetadata("loom", defaultModelId: modelId, defaultModelDimensions: transformer.Config.Width);
    }

    /// <summary>A generator over <paramref name="model"/> when it is a transformer language model (or wraps one), else null.</summary>
    public static LoomEmbeddingGenerator? TryCreate(IGenerativeModel model, string modelId) =>
        model.GetService<NeuralLanguageModel>() is { Network: DecoderTransformer } language
            ? new LoomEmbeddingGenerator(language, modelId)
            : null;

    public EmbeddingGeneratorMetadata Metadata { get; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToList();
        var vectors = await Task.Factory.StartNew(() => Embed(texts, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        int tokens = vectors.Sum(v => v.Tokens);
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v.Vector)
        {
            CreatedAt = created, ModelId = Metadata.DefaultModelId,
        }))
        {
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
    }

    private List<(float[] Vector, int Tokens)> Embed(IReadOnlyList<string> texts, CancellationToken cancellation)
    {
        var result = new List<(float[], int)>(texts.Count);
        using var noGrad = torch.no_grad();
        foreach (var text in texts)
        {
            cancellation.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var ids = text.Length == 0 ? [model.StartTokenId] : model.Tokenizer.Encode(text);
            if (ids.Length == 0) ids = [model.StartTokenId];
            ids = ids.Take(transformer.Config.ContextLength).ToArray();
            var hidden = transformer.HiddenStates(torch.tensor(ids.Select(i => (long)i).ToArray()).view(1, -1));
            var pooled = hidden[0].to(ScalarType.Float32).mean([0]);
            var unit = pooled / pooled.norm().clamp_min(1e-12);
            result.Add((unit.cpu().data<float>().ToArray(), ids.Length));
        }
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType.IsInstanceOfType(model) ? model
        : null;

    public void Dispose()
    {
    }
}
