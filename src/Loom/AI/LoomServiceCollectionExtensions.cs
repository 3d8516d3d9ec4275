using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Language;
using Loom.Text.Generation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Loom.AI;

/// <summary>
/// Registers a Loom model folder (a Loom checkpoint or an HF model folder) as the app's <see cref="IChatClient"/> or
/// <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/>, the way Microsoft.Extensions.AI's <c>AddChatClient</c> does:
/// the returned builder adds middleware (<c>.UseLogging()</c>, <c>.UseDistributedCache()</c>, …). The model loads on
/// first use, once per container, and is disposed with it.
/// </summary>
public static class LoomServiceCollectionExtensions
{
    public static ChatClientBuilder AddLoomChatClient(this IServiceCollection services, string folder, IChatPromptFormat? format = null)
    {
        AddModel(services, folder);
        return services.AddChatClient(provider =>
        {
            var model = provider.GetRequiredKeyedService<LoomModelHolder>(Key(folder)).Model;
            var text = model.GetService<ITextGenerationModel>()
                ?? throw new LoomUsageException($"{folder} holds a '{model.Kind}' model; a chat client needs a neural text model");
            var id = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
            return new LoomChatClient(text, id, format ?? ChatPromptFormats.For(folder));
        });
    }

    public static EmbeddingGeneratorBuilder<string, Embedding<float>> AddLoomEmbeddingGenerator(this IServiceCollection services,
        string folder)
    {
        AddModel(services, folder);
        return services.AddEmbeddingGenerator(provider =>
        {
            var model = provider.GetRequiredKeyedService<LoomModelHolder>(Key(folder)).Model as NeuralLanguageModel
                ?? throw new LoomUsageException($"{folder}: embeddings need a transformer language model");
            return new LoomEmbeddingGenerator(model, Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)));
        });
    }

    /// <summary>One model per folder, shared by the chat client and the embedding generator of that folder.</summary>
    private static void AddModel(IServiceCollection services, string folder) =>
        services.TryAddKeyedSingleton(Key(folder), (_, _) => new LoomModelHolder(folder));

    private static string Key(string folder) => "loom:" + Path.GetFullPath(folder);

    /// <summary>The model of a folder, loaded on first use and disposed with the container.</summary>
    private sealed class LoomModelHolder(string folder) : IDisposable
    {
        private readonly Lazy<IGenerativeModel> model = new(() => Checkpoint.Load(folder));

        public IGenerativeModel Model => model.Value;

        public void Dispose()
        {
            if (model.IsValueCreated) model.Value.Dispose();
        }
    }
}
