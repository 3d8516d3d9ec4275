namespace Loom.Text.Serving;

/// <summary>
/// Requests accepted but not yet decoding, first come first served: as many as the batch has free rows, plus at most
/// <paramref name="limit"/> more. Callers add and withdraw; the engine's worker takes from the front (between steps) and
/// sleeps here while it has nothing to do.
/// </summary>
internal sealed class CompletionQueue(int limit) : IDisposable
{
    private readonly LinkedList<CompletionJob> waiting = new();
    private readonly SemaphoreSlim arrivals = new(0);
    private bool closed;

    public int Count
    {
        get
        {
            lock (waiting) return waiting.Count;
        }
    }

    /// <summary>Queues <paramref name="job"/>; throws <see cref="EngineQueueFullException"/> when
    /// <paramref name="freeRows"/> + the limit requests already wait (a burst that the free rows will take is not refused
    /// because the worker has not reached a step boundary yet).</summary>
    public void Add(CompletionJob job, int freeRows)
    {
        lock (waiting)
        {
            ObjectDisposedException.ThrowIf(closed, typeof(ContinuousBatchingEngine));
            if (waiting.Count >= limit + Math.Max(0, freeRows)) throw new EngineQueueFullException(limit);
            waiting.AddLast(job);
        }
        arrivals.Release();
    }

    /// <summary>Removes <paramref name="job"/> if it is still waiting (true); false once the worker has taken it.</summary>
    public bool Withdraw(CompletionJob job)
    {
        lock (waiting) return waiting.Remove(job);
    }

    /// <summary>Takes the oldest waiting request, if any.</summary>
    public bool TryTake(out CompletionJob job)
    {
        lock (waiting)
        {
            job = waiting.First?.Value!;
            if (job is null) return false;
            waiting.RemoveFirst();
            return true;
        }
    }

    /// <summary>Blocks the worker until a request arrives (or one arrived since it last looked) or <paramref name="stop"/>
    /// is cancelled.</summary>
    public void WaitForArrival(CancellationToken stop) => arrivals.Wait(stop);

    /// <summary>Refuses further requests and returns those still waiting.</summary>
    public List<CompletionJob> Close()
    {
        lock (waiting)
        {
            closed = true;
            var left = waiting.ToList();
            waiting.Clear();
            return left;
        }
    }

    public void Dispose() => arrivals.Dispose();
}
