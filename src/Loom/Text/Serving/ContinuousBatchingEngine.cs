using System.Runtime.CompilerServices;
using Loom.Core;
using Loom.Models.Language;
using Loom.Text.Generation;
using Loom.Text.Tokenizers;

namespace Loom.Text.Serving;

/// <summary>
/// Serves concurrent completions of one model by continuous batching: requests decode together, one token per row per
/// step, and between steps waiting requests join (prefilled alone, then spliced into a free row of the shared KV cache
/// or recurrent state) while finished or abandoned ones leave (their row reused). Each request keeps its own settings:
/// processors over its own history, its own seeded selector, EOS, stop sequences, logprobs and max new tokens, so its
/// tokens are the ones <see cref="TextGenerator"/> gives it alone. Beam search is not served (<c>NumBeams</c> 1 only).
/// </summary>
/// <remarks>
/// One dedicated worker thread does all model work (TorchSharp dispose scopes are thread-static; none spans an await):
/// callers only await their request's updates. Prompt + <c>MaxNewTokens</c> must fit the model's context: a request
/// that does not is refused with a <see cref="LoomUsageException"/> naming <c>MaxNewTokens</c> (no cropping, unlike
/// <see cref="TextGenerator"/>). A long prompt's prefill holds up the batch for its duration (no chunked prefill).
/// The model must be in evaluation mode and its decoding state must splice rows (<see cref="ISpliceableDecoderState"/>;
/// the transformer's KV cache and the recurrent state do).
/// </remarks>
public sealed class ContinuousBatchingEngine : ITextCompletionEngine
{
    private readonly TextGenerator generator;
    private readonly ContinuousBatchingOptions options;
    private readonly CompletionQueue queue;
    private readonly CancellationTokenSource stopping = new();
    private readonly Thread worker;
    private int activeRequests;
    private int disposed;

    /// <summary>An engine over <paramref name="generator"/>'s model, tokenizer and start token; its worker starts now.</summary>
    public ContinuousBatchingEngine(TextGenerator generator, ContinuousBatchingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        this.options = options?.Clone() ?? new ContinuousBatchingOptions();
        this.options.Validate();
        this.generator = generator;
        queue = new CompletionQueue(this.options.QueueLimit);
        worker = new Thread(Work) { IsBackground = true, Name = "loom-batching" };
        worker.Start();
    }

    /// <summary>An engine over <paramref name="model"/> (see <see cref="TextGenerator"/> for the arguments).</summary>
    public ContinuousBatchingEngine(ICausalLanguageModel model, ITokenizer tokenizer, int startTokenId,
        ContinuousBatchingOptions? options = null)
        : this(new TextGenerator(model, tokenizer, startTokenId), options)
    {
    }

    /// <summary>A copy of the options this engine runs with.</summary>
    public ContinuousBatchingOptions Options => options.Clone();

    public int QueueDepth => queue.Count;

    public int ActiveRequests => Volatile.Read(ref activeRequests);

    /// <summary><see cref="Dispose"/> has asked the worker to stop (for tests that must know it did).</summary>
    internal bool Stopping => stopping.IsCancellationRequested;

    /// <summary>
    /// Checks <paramref name="request"/> now (a <see cref="LoomUsageException"/> for bad settings, <c>NumBeams</c> &gt; 1,
    /// ids outside the vocabulary or a request longer than the context) and returns its stream. Enumerating it queues
    /// the request: the first <c>MoveNextAsync</c> throws <see cref="EngineQueueFullException"/> when
    /// <see cref="ContinuousBatchingOptions.QueueLimit"/> requests already wait. Leaving the enumeration early or
    /// cancelling frees the request's row at the next step boundary, before the enumeration's disposal completes.
    /// </summary>
    public IAsyncEnumerable<CompletionUpdate> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        return Stream(Check(request), cancellationToken);
    }

    /// <summary>Stops the worker after its current step, fails waiting and running requests with
    /// <see cref="ObjectDisposedException"/> and frees the shared decoding state.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        stopping.Cancel();
        if (Thread.CurrentThread != worker) worker.Join();
        stopping.Dispose();
        queue.Dispose();
    }

    private CompletionJob Check(CompletionRequest request)
    {
        var settings = (request.Settings ?? throw new ArgumentException("a request needs settings", nameof(request))).Clone();
        settings.Validate();
        if (settings.NumBeams > 1)
            throw LoomUsageException.ForOption("NumBeams", $"beam search is not served by continuous batching (got {settings.NumBeams}); "
                + "use 1, or TextGenerator for beams");
        var ids = generator.CheckIds(request.PromptIds ?? throw new ArgumentException("a request needs prompt ids", nameof(request)));
        int context = generator.Model.MaxSequenceLength;
        if (ids.Length >= context)
            throw LoomUsageException.ForOption("PromptIds", $"the prompt's {ids.Length} tokens leave no room in the model's context "
                + $"of {context}");
        if ((long)ids.Length + settings.MaxNewTokens > context)
            throw LoomUsageException.ForOption("MaxNewTokens", $"{settings.MaxNewTokens} new tokens after a {ids.Length}-token prompt "
                + $"exceed the model's context of {context}; ask for at most {context - ids.Length}");
        return new CompletionJob(ids, settings);
    }

    private async IAsyncEnumerable<CompletionUpdate> Stream(CompletionJob job, [EnumeratorCancellation] CancellationToken cancellation)
    {
        if (!job.TryStartEnumeration())
            throw new InvalidOperationException("a completion streams to one enumeration; call CompleteAsync again");
        queue.Add(job, options.MaxBatchSize - ActiveRequests);
        try
        {
            await foreach (var update in job.Updates.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                cancellation.ThrowIfCancellationRequested();   // updates already sent are not read after a cancel
                yield return update;
            }
        }
        finally
        {
            if (queue.Withdraw(job))
                job.Finish();
            else
                job.Abandon();
            await job.Released.ConfigureAwait(false);
        }
    }

    /// <summary>The worker: frees abandoned rows, lets waiting requests join, runs one step; sleeps while there is nothing
    /// to do.</summary>
    private void Work()
    {
        var batch = new DecodingBatch(generator.Model, options.MaxBatchSize);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                foreach (var row in batch.Rows.Where(r => r.Job.Abandoned).ToList())
                {
                    batch.Remove(row);
                    Release(row, null);
                }
                Admit(batch);
                if (batch.Rows.Count == 0)
                    queue.WaitForArrival(stopping.Token);
                else
                    Step(batch);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var row in batch.Clear())
                Release(row, new ObjectDisposedException(nameof(ContinuousBatchingEngine)));
            batch.Dispose();
            foreach (var job in queue.Close())
                job.Fail(new ObjectDisposedException(nameof(ContinuousBatchingEngine)));
        }
    }

    private void Admit(DecodingBatch batch)
    {
        while (batch.FreeRows > 0 && !stopping.IsCancellationRequested && queue.TryTake(out var job))
        {
            Interlocked.Increment(ref activeRequests);
            if (job.Abandoned)
            {
                Interlocked.Decrement(ref activeRequests);
                job.Finish();
                continue;
            }
            DecodingRow? row = null;
            try
            {
                row = new DecodingRow(job, generator.Tokenizer);
                if (!batch.Join(row)) Release(row, null);
            }
            catch (Exception e)   // this request's prefill failed; the batch goes on
            {
                if (row is not null)
                    Release(row, e);
                else
                {
                    Interlocked.Decrement(ref activeRequests);
                    job.Fail(e);
                }
            }
        }
    }

    private void Step(DecodingBatch batch)
    {
        try
        {
            foreach (var (row, error) in batch.Step())
            {
                batch.Remove(row);
                Release(row, error);
            }
        }
        catch (Exception e)
        {
            foreach (var row in batch.Clear())
                Release(row, e);
        }
    }

    private void Release(DecodingRow row, Exception? error)
    {
        row.Dispose();
        Interlocked.Decrement(ref activeRequests);
        if (error is null) row.Job.Finish();
        else row.Job.Fail(error);
    }
}
