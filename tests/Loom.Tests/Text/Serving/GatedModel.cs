using Loom.Models.Language;
using static TorchSharp.torch;

namespace Loom.Tests.Text.Serving;

/// <summary>
/// A model whose forward passes wait for passes the test allows, so a test decides how far the engine's worker gets
/// (no sleeps, no timing). Records the most rows any pass ran on.
/// </summary>
internal sealed class GatedModel(ICausalLanguageModel inner) : ICausalLanguageModel, IDisposable
{
    private readonly SemaphoreSlim allowed = new(0);
    private readonly SemaphoreSlim arrived = new(0);
    private volatile bool open;
    private int maxRows;

    public int VocabSize => inner.VocabSize;
    public int MaxSequenceLength => inner.MaxSequenceLength;

    /// <summary>Most rows one forward pass ran on.</summary>
    public int MaxRows => Volatile.Read(ref maxRows);

    /// <summary>Lets <paramref name="passes"/> more forward passes run.</summary>
    public void Allow(int passes) => allowed.Release(passes);

    /// <summary>Lets every forward pass run from now on.</summary>
    public void Open()
    {
        open = true;
        allowed.Release(1_000_000);
    }

    /// <summary>Waits until <paramref name="passes"/> more forward passes have begun (each then waits to be allowed).</summary>
    public async Task ArrivalsAsync(int passes)
    {
        for (int i = 0; i < passes; i++)
            await arrived.WaitAsync().WaitAsync(TimeSpan.FromMinutes(2));
    }

    public IDecoderState CreateState(int batch, int capacity) => inner.CreateState(batch, capacity);

    public Tensor Forward(Tensor tokens, Tensor? attentionMask = null, IDecoderState? state = null)
    {
        arrived.Release();
        if (!open) allowed.Wait();
        int rows = (int)tokens.shape[0];
        int seen;
        while ((seen = Volatile.Read(ref maxRows)) < rows && Interlocked.CompareExchange(ref maxRows, rows, seen) != seen) { }
        return inner.Forward(tokens, attentionMask, state);
    }

    public void Dispose()
    {
        allowed.Dispose();
        arrived.Dispose();
    }
}
