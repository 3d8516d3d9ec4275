using Loom.Core;
using Loom.Models;
using Loom.Models.Adapters;
using Loom.Server.Protocol;
using Loom.Text.Generation;

namespace Loom.Server.Models;

/// <summary>
/// The folder of models a server serves. Models load on first use (one load at a time) and stay loaded, least recently
/// used first out, within <see cref="LoomServerOptions.MaxModels"/> and <see cref="LoomServerOptions.MaxModelBytes"/>
/// (weight file sizes). An evicted model keeps serving the requests that hold it and is disposed, its engine first,
/// when the last one ends. Requests name models by id only (<see cref="ModelIds"/>).
/// </summary>
public sealed class ModelStore : IDisposable
{
    private readonly LoomServerOptions options;
    private readonly Dictionary<string, LoadedModel> loaded = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim loadGate = new(1, 1);
    private readonly Lock gate = new();
    private long clock;
    private bool disposed;

    public ModelStore(LoomServerOptions options)
    {
        this.options = options;
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.ModelsFolder));
    }

    /// <summary>The store's folder (a full path).</summary>
    public string Root { get; }

    /// <summary>Every model folder in the store, by id.</summary>
    public IReadOnlyList<ModelEntry> List() =>
        Directory.EnumerateDirectories(Root)
            .Where(d => ModelIds.IsValid(Path.GetFileName(d)))
            .Select(ModelEntry.Read)
            .OfType<ModelEntry>()
            .OrderBy(e => e.Id, StringComparer.Ordinal)
            .ToList();

    /// <summary>The entry of <paramref name="id"/>; 404 <c>model_not_found</c> when the store has no such model.</summary>
    public ModelEntry Find(string id) =>
        ModelEntry.Read(ModelIds.FolderOf(Root, id)) is { } entry && Directory.Exists(entry.Folder)
            ? entry
            : throw ApiError.ModelNotFound(id);

    /// <summary>The models in memory now (for metrics).</summary>
    public IReadOnlyList<LoadedModel> Loaded
    {
        get
        {
            lock (gate) return loaded.Values.ToList();
        }
    }

    /// <summary>Loads <paramref name="entry"/>'s model with its adapter and its speculative draft, when the options name them.</summary>
    private LoadedModel Load(ModelEntry entry)
    {
        var model = LoraAdapterFiles.LoadModel(entry.Folder, options.Adapters.GetValueOrDefault(entry.Id), dtype: options.Dtype);
        IGenerativeModel? draft = null;
        try
        {
            if (options.Drafts.TryGetValue(entry.Id, out var draftFolder))
            {
                draft = LoraAdapterFiles.LoadModel(draftFolder, null, dtype: options.Dtype);
                if (draft.GetService<ITextGenerationModel>() is null || model.GetService<ITextGenerationModel>() is null)
                    throw LoomUsageException.ForOption(nameof(LoomServerOptions.Drafts), $"'{entry.Id}' ({model.Kind}) and its "
                        + $"draft ({draft.Kind}) must both be language models");
            }
            return new LoadedModel(entry, model, options, draft);
        }
        catch
        {
            draft?.Dispose();
            model.Dispose();
            throw;
        }
    }

    /// <summary>Holds <paramref name="id"/>'s model for one request, loading it first when needed.</summary>
    public async Task<ModelLease> AcquireAsync(string id, CancellationToken cancellation)
    {
        var entry = Find(id);
        if (TryLease(id) is { } held) return held;
        await loadGate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (TryLease(id) is { } loadedMeanwhile) return loadedMeanwhile;
            foreach (var model in MakeRoomFor(entry.WeightBytes)) model.Dispose();
            var fresh = await Task.Run(() => Load(entry), cancellation).ConfigureAwait(false);
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                loaded[id] = fresh;
                fresh.Leases++;
                fresh.LastUsed = ++clock;
                return new ModelLease(this, fresh);
            }
        }
        finally
        {
            loadGate.Release();
        }
    }

    private ModelLease? TryLease(string id)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!loaded.TryGetValue(id, out var model)) return null;
            model.Leases++;
            model.LastUsed = ++clock;
            return new ModelLease(this, model);
        }
    }

    /// <summary>Evicts least recently used models until one more of <paramref name="bytes"/> fits; returns those idle
    /// now (the caller disposes them outside the lock).</summary>
    private List<LoadedModel> MakeRoomFor(long bytes)
    {
        var idle = new List<LoadedModel>();
        lock (gate)
        {
            while (loaded.Count > 0 && (loaded.Count + 1 > options.MaxModels
                || (options.MaxModelBytes > 0 && loaded.Values.Sum(m => m.Entry.WeightBytes) + bytes > options.MaxModelBytes)))
            {
                var oldest = loaded.Values.MinBy(m => m.LastUsed)!;
                loaded.Remove(oldest.Id);
                oldest.Evicted = true;
                if (oldest.Leases == 0) idle.Add(oldest);
            }
        }
        return idle;
    }

    internal void Release(LoadedModel model)
    {
        bool dispose;
        lock (gate)
        {
            model.Leases--;
            dispose = model.Evicted && model.Leases == 0;
        }
        if (dispose) model.Dispose();
    }

    /// <summary>Disposes every loaded model (call after in-flight requests ended).</summary>
    public void Dispose()
    {
        List<LoadedModel> all;
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            all = [.. loaded.Values];
            loaded.Clear();
            foreach (var model in all) model.Evicted = true;
        }
        foreach (var model in all.Where(m => m.Leases == 0)) model.Dispose();
        loadGate.Dispose();
    }
}
