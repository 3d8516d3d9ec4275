using Loom.AI;
using Loom.Models;
using Loom.Models.Language;
using Loom.Server.Protocol;
using Loom.Text.Generation;
using Loom.Text.Serving;

namespace Loom.Server.Models;

/// <summary>
/// A model the store holds in memory: the model, its prompt format, its speculative draft when the options name one, its
/// completion engine (made on first text request through
/// <see cref="LoomServerOptions.CreateEngine(ITextGenerationModel, SpeculativeDraft?)"/>) and its embedding generator (made
/// on first use). The store counts the requests using it; an evicted model is disposed, engine first, when the last one
/// ends.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    private readonly LoomServerOptions options;
    private readonly Lazy<ITextCompletionEngine> engine;
    private readonly Lazy<LoomEmbeddingGenerator> embeddings;

    /// <param name="draft">A draft language model for speculative decoding (<see cref="LoomServerOptions.Drafts"/>), owned
    /// and disposed with the model; null for none.</param>
    public LoadedModel(ModelEntry entry, IGenerativeModel model, LoomServerOptions options, IGenerativeModel? draft = null)
    {
        Entry = entry;
        Model = model;
        Draft = draft;
        this.options = options;
        Text = model.GetService<ITextGenerationModel>();
        Format = ChatPromptFormats.For(entry.Folder);
        engine = new(() => this.options.CreateEngine(RequireText(), SpeculativeDraftOf(draft)));
        embeddings = new(() => LoomEmbeddingGenerator.TryCreate(model, entry.Id) ?? throw NotCapable("embeddings"));
    }

    public ModelEntry Entry { get; }
    public string Id => Entry.Id;
    public IGenerativeModel Model { get; }
    public ITextGenerationModel? Text { get; }

    /// <summary>The speculative-decoding draft loaded with the model, or null.</summary>
    public IGenerativeModel? Draft { get; }
    public IChatPromptFormat Format { get; }

    /// <summary>The engine, when one was made (metrics read its queue without making one).</summary>
    public ITextCompletionEngine? EngineIfCreated => engine.IsValueCreated ? engine.Value : null;

    /// <summary>The text model, or a 400 naming the model when it has no text capability.</summary>
    public ITextGenerationModel RequireText() => Text ?? throw NotCapable("text generation");

    /// <summary>The completion engine of this model (made on first use).</summary>
    public ITextCompletionEngine Engine => engine.Value;

    /// <summary>The embedding generator of this model; a 400 when it is no transformer language model.</summary>
    public LoomEmbeddingGenerator Embeddings
    {
        get
        {
            try
            {
                return embeddings.Value;
            }
            catch (Loom.Core.LoomUsageException e)
            {
                throw ApiError.BadField("model", $"The model '{Id}' cannot embed: {e.Message}", "model_not_supported");
            }
        }
    }

    /// <summary>Requests holding this model now (changed under the store's lock).</summary>
    internal int Leases { get; set; }

    /// <summary>Set when the store evicted the model; it is disposed when <see cref="Leases"/> reaches 0.</summary>
    internal bool Evicted { get; set; }

    /// <summary>When a request last took the model (the store evicts the least recently used).</summary>
    internal long LastUsed { get; set; }

    private SpeculativeDraft? SpeculativeDraftOf(IGenerativeModel? draft)
    {
        if (draft is null) return null;
        var generator = (draft.GetService<ITextGenerationModel>() ?? throw Loom.Core.LoomUsageException.ForOption(
            nameof(LoomServerOptions.Drafts), $"the draft for '{Id}' is a '{draft.Kind}' model, not a language model")).CreateGenerator();
        return new SpeculativeDraft(generator.Model, options.DraftTokens, generator.Tokenizer);
    }

    private ApiError NotCapable(string what) =>
        ApiError.BadField("model", $"The model '{Id}' ({Entry.Kind}) does not support {what}.", "model_not_supported");

    public void Dispose()
    {
        if (engine.IsValueCreated) engine.Value.Dispose();
        if (embeddings.IsValueCreated) embeddings.Value.Dispose();
        Model.Dispose();
        Draft?.Dispose();
    }
}
