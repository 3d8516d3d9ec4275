using System.Threading.Channels;
using Loom.Text.Decoding;

namespace Loom.Text.Serving;

/// <summary>
/// One accepted request between its caller and the engine's worker: the checked prompt and settings, the channel its
/// updates flow through (unbounded, so a slow reader never stalls the batch), the caller's wish to stop, and a signal
/// that the engine has let go of it (its row freed).
/// </summary>
internal sealed class CompletionJob(int[] promptIds, GenerationSettings settings)
{
    private readonly Channel<CompletionUpdate> updates =
        Channel.CreateUnbounded<CompletionUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool abandoned;
    private int enumerations;

    /// <summary>The prompt as the model reads it (an empty prompt is the start token).</summary>
    public int[] PromptIds { get; } = promptIds;

    /// <summary>The request's own copy of its settings.</summary>
    public GenerationSettings Settings { get; } = settings;

    public ChannelReader<CompletionUpdate> Updates => updates.Reader;

    /// <summary>The caller stopped reading (cancelled or left the enumeration); the worker frees its row at the next step.</summary>
    public bool Abandoned => abandoned;

    /// <summary>Completes once the engine holds nothing of this request any more.</summary>
    public Task Released => released.Task;

    /// <summary>True the first time: a completion streams to one enumeration only.</summary>
    public bool TryStartEnumeration() => Interlocked.Increment(ref enumerations) == 1;

    public void Abandon() => abandoned = true;

    public void Send(CompletionUpdate update) => updates.Writer.TryWrite(update);

    /// <summary>Ends the stream (after the final update, or silently for an abandoned request) and releases the request.</summary>
    public void Finish()
    {
        updates.Writer.TryComplete();
        released.TrySetResult();
    }

    /// <summary>Ends the stream with <paramref name="error"/>, which the caller's enumeration throws, and releases the request.</summary>
    public void Fail(Exception error)
    {
        updates.Writer.TryComplete(error);
        released.TrySetResult();
    }
}
