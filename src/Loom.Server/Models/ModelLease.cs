namespace Loom.Server.Models;

/// <summary>One request's hold on a loaded model: the store neither disposes nor reloads it until the lease ends.</summary>
public sealed class ModelLease(ModelStore store, LoadedModel model) : IDisposable
{
    private int released;

    public LoadedModel Model { get; } = model;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref released, 1) == 0)
            store.Release(Model);
    }
}
