using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Loom.Core;
using Loom.Text.Generation;

namespace Loom.Text.Serving;

/// <summary>
/// The simplest <see cref="ITextCompletionEngine"/>: one dedicated worker thread per model (TorchSharp dispose scopes are
/// thread-static) decodes requests one at a time with <see cref="TextGenerator.Stream(IReadOnlyList{IReadOnlyList{int}},
/// Decoding.GenerationSettings, CancellationToken)"/>, in arrival order. Besides the request decoding, at most
/// <c>queueLimit</c> requests wait; one more throws <see cref="EngineQueueFullException"/> at once. Cancelling a request
/// takes it out of the queue, or stops its decoding after the current token; the caller's enumeration ends only when the
/// worker has let go of the request.
/// </summary>
public sealed class SerialCompletionEngine : ITextCompletionEngine
{
    private readonly TextGenerator generator;
    private readonly int queueLimit;
    private readonly BlockingCollection<Job> queue = new();
    private readonly Thread worker;
    private readonly CancellationTokenSource disposing = new();
    private int inEngine;   // accepted and not yet finished: waiting + decoding
    private int active;

    /// <param name="model">The text model; the engine does not dispose it.</param>
    /// <param name="queueLimit">Most requests that may wait while one decodes (0: only an idle engine accepts one).</param>
    public SerialCompletionEngine(ITextGenerationModel model, int queueLimit) : this(model.CreateGenerator(), queueLimit)
    {
    }

    /// <param name="generator">The generator that decodes every request (for example one with a speculative draft).</param>
    /// <param name="queueLimit">Most requests that may wait while one decodes (0: only an idle engine accepts one).</param>
    public SerialCompletionEngine(TextGenerator generator, int queueLimit)
    {
        if (queueLimit < 0)
            throw LoomUsageException.ForOption("QueueLength", $"must not be negative (got {queueLimit})");
        this.generator = generator;
        this.queueLimit = queueLimit;
        worker = new Thread(Work) { IsBackground = true, Name = "loom-serial-engine" };
        worker.Start();
    }

    public int QueueDepth => Math.Max(0, Volatile.Read(ref inEngine) - Volatile.Read(ref active));

    public int ActiveRequests => Volatile.Read(ref active);

    public async IAsyncEnumerable<CompletionUpdate> CompleteAsync(CompletionRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        request.Settings.Validate();
        ObjectDisposedException.ThrowIf(queue.IsAddingCompleted, this);
        if (Interlocked.Increment(ref inEngine) > queueLimit + 1)
        {
            Interlocked.Decrement(ref inEngine);
            throw new EngineQueueFullException(queueLimit);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposing.Token);
        var job = new Job(request with { Settings = request.Settings.Clone() }, stop.Token);
        try
        {
            queue.Add(job, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            job.Release(ref inEngine);   // disposed while we were adding
            throw new ObjectDisposedException(Name);
        }
        try
        {
            await foreach (var update in job.Updates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                yield return update;
        }
        finally
        {
            // The caller stopped reading (done, cancelled, disconnected): stop the work and wait until the worker lets go.
            stop.Cancel();
            await job.Finished.Task.ConfigureAwait(false);
        }
    }

    private const string Name = nameof(SerialCompletionEngine);

    private void Work()
    {
        foreach (var job in queue.GetConsumingEnumerable())
        {
            try
            {
                if (!job.Cancellation.IsCancellationRequested)
                {
                    Interlocked.Increment(ref active);
                    try
                    {
                        Decode(job);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref active);
                    }
                }
                job.Updates.Writer.TryComplete(disposing.IsCancellationRequested ? new ObjectDisposedException(Name) : null);
            }
            catch (Exception e)
            {
                job.Updates.Writer.TryComplete(e is OperationCanceledException ? null : e);
            }
            finally
            {
                job.Release(ref inEngine);
            }
        }
    }

    private void Decode(Job job)
    {
        var settings = job.Request.Settings;
        int promptTokens = Math.Max(1, job.Request.PromptIds.Count);
        var generated = new List<int>();
        foreach (var token in generator.Stream([job.Request.PromptIds], settings, job.Cancellation))
        {
            if (token.TokenId >= 0) generated.Add(token.TokenId);
            Write(job, new CompletionUpdate(token, null, promptTokens, generated.Count));
        }
        if (job.Cancellation.IsCancellationRequested)
            return;
        Write(job, new CompletionUpdate(null, FinishReason(generated, settings), promptTokens, generated.Count));
    }

    /// <summary>
    /// Why a finished request stopped: its last token ends sequences (<c>eos</c>), its raw text holds a stop sequence
    /// (<c>stop</c>), or it reached its token limit (<c>length</c>).
    /// </summary>
    private string FinishReason(List<int> generated, Decoding.GenerationSettings settings)
    {
        if (generated.Count > 0 && settings.EosTokenIds.Contains(generated[^1]))
            return "eos";
        if (generated.Count < settings.MaxNewTokens)
            return "stop";
        var text = generator.Tokenizer.Decode(generated);
        return settings.Stop.Any(s => text.Contains(s, StringComparison.Ordinal)) ? "stop" : "length";
    }

    private static void Write(Job job, CompletionUpdate update)
    {
        if (!job.Updates.Writer.TryWrite(update))
            job.Updates.Writer.WriteAsync(update, job.Cancellation).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Stops taking requests, cancels waiting ones and waits for the worker to finish the current one.</summary>
    public void Dispose()
    {
        if (queue.IsAddingCompleted) return;
        disposing.Cancel();
        queue.CompleteAdding();
        worker.Join();
        queue.Dispose();
        disposing.Dispose();
    }

    /// <summary>One accepted request: its updates (bounded, so a slow reader holds the worker back) and its end.</summary>
    private sealed class Job(CompletionRequest request, CancellationToken cancellation)
    {
        private int released;

        public CompletionRequest Request { get; } = request;
        public CancellationToken Cancellation { get; } = cancellation;
        public Channel<CompletionUpdate> Updates { get; } =
            Channel.CreateBounded<CompletionUpdate>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Leaves the engine's count once and marks the job finished.</summary>
        public void Release(ref int inEngine)
        {
            if (Interlocked.Exchange(ref released, 1) == 1) return;
            Interlocked.Decrement(ref inEngine);
            Updates.Writer.TryComplete();
            Finished.TrySetResult();
        }
    }
}
