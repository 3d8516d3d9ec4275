namespace Loom.Text.Serving;

/// <summary>
/// Serves many concurrent text requests on one model. Model work runs on the engine's own thread(s) (TorchSharp dispose
/// scopes are thread-static); callers only await. Cancelling a request's token stops its work and frees what it held
/// (its KV cache rows). A full queue throws <see cref="EngineQueueFullException"/> at once.
/// </summary>
public interface ITextCompletionEngine : IDisposable
{
    /// <summary>Streams <paramref name="request"/>'s tokens, then one update with the finish reason.</summary>
    IAsyncEnumerable<CompletionUpdate> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Requests accepted but not yet decoding.</summary>
    int QueueDepth { get; }

    /// <summary>Requests decoding now.</summary>
    int ActiveRequests { get; }
}
