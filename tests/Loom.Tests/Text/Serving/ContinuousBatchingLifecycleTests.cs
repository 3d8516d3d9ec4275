using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Decoding;
using Loom.Text.Serving;
using TorchSharp;
using static Loom.Tests.Text.Serving.ServingFixture;

namespace Loom.Tests.Text.Serving;

/// <summary>
/// A request's life in the engine: cancelled or abandoned requests free their rows, a full queue refuses at once,
/// disposing fails what is pending and frees every tensor, and requests the engine cannot serve are refused up front.
/// </summary>
public sealed class ContinuousBatchingLifecycleTests
{
    [Fact]
    public async Task Cancelled_and_abandoned_requests_free_their_rows_and_nothing_leaks_after_dispose()
    {
        using var fixture = new ServingFixture("llama");
        using var gated = new GatedModel(fixture.Model);
        var kept = (Prompt: Prompt(4), Settings: Greedy(20));
        var expected = fixture.Alone(kept.Prompt, kept.Settings).TokenIds;
        using (var warm = fixture.Engine())
            await CollectAsync(warm, Prompt(1), Greedy(3));   // warm-up: lazily created library state
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        var engine = fixture.Engine(gated);
        using var cancel = new CancellationTokenSource();
        var cancelledActed = new TaskCompletionSource();
        var abandonedActed = new TaskCompletionSource();
        // Rows 0 and 1 are the cancelled and the abandoned request; the kept one (row 2) moves down as they leave.
        var cancelled = ReadThenAsync(engine, Prompt(2), 3, () =>
        {
            cancel.Cancel();
            cancelledActed.SetResult();
        }, cancel.Token);
        var abandoned = ReadThenAsync(engine, Prompt(3), 2, abandonedActed.SetResult, CancellationToken.None);
        var keptRun = CollectAsync(engine, kept.Prompt, kept.Settings);
        gated.Allow(6);   // three prefills and three steps: the first request has 4 updates, the second 4
        await Task.WhenAll(cancelledActed.Task, abandonedActed.Task).WaitAsync(TimeSpan.FromMinutes(2));
        gated.Open();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await abandoned;
        Assert.Equal(expected, TokenIds(await keptRun));
        Assert.Equal(0, engine.ActiveRequests);
        Assert.Equal(0, engine.QueueDepth);
        engine.Dispose();
        Assert.Equal(before, torch.Tensor.TotalCount);
    }

    [Fact]
    public async Task A_full_queue_throws_before_the_first_update()
    {
        using var fixture = new ServingFixture("gpt");
        using var gated = new GatedModel(fixture.Model);
        using var engine = fixture.Engine(gated, maxBatchSize: 1, queueLimit: 1);
        var running = CollectAsync(engine, Prompt(1), Greedy(4));
        await gated.ArrivalsAsync(1);   // the worker took it and waits in its prefill
        var waiting = CollectAsync(engine, Prompt(2), Greedy(4));
        Assert.Equal(1, engine.QueueDepth);
        Assert.Equal(1, engine.ActiveRequests);
        var refused = await Assert.ThrowsAsync<EngineQueueFullException>(() => CollectAsync(engine, Prompt(3), Greedy(4)));
        Assert.Equal(1, refused.QueueLimit);
        gated.Open();
        Assert.Equal(fixture.Alone(Prompt(1), Greedy(4)).TokenIds, TokenIds(await running));
        Assert.Equal(fixture.Alone(Prompt(2), Greedy(4)).TokenIds, TokenIds(await waiting));
    }

    [Fact]
    public async Task A_burst_that_free_rows_will_take_is_accepted_before_the_next_step()
    {
        using var fixture = new ServingFixture("gpt");
        using var gated = new GatedModel(fixture.Model);
        using var engine = fixture.Engine(gated, maxBatchSize: 4, queueLimit: 0);
        var running = CollectAsync(engine, Prompt(1), Greedy(3));
        await gated.ArrivalsAsync(1);   // the worker is inside the first request's prefill: three rows are free
        var burst = Enumerable.Range(2, 3).Select(i => CollectAsync(engine, Prompt(i), Greedy(3))).ToList();
        Assert.Equal(3, engine.QueueDepth);
        await Assert.ThrowsAsync<EngineQueueFullException>(() => CollectAsync(engine, Prompt(5), Greedy(3)));
        gated.Open();
        Assert.Equal(fixture.Alone(Prompt(1), Greedy(3)).TokenIds, TokenIds(await running));
        for (int i = 0; i < burst.Count; i++)
            Assert.Equal(fixture.Alone(Prompt(i + 2), Greedy(3)).TokenIds, TokenIds(await burst[i]));
    }

    [Fact]
    public async Task Dispose_fails_running_and_waiting_requests_with_object_disposed()
    {
        using var fixture = new ServingFixture("gru");
        using var gated = new GatedModel(fixture.Model);
        var engine = fixture.Engine(gated, maxBatchSize: 1);
        var running = CollectAsync(engine, Prompt(1), Greedy(20));
        await gated.ArrivalsAsync(1);
        var waiting = CollectAsync(engine, Prompt(2), Greedy(20));
        var disposing = Task.Run(engine.Dispose);
        SpinWait.SpinUntil(() => engine.Stopping);   // the worker sees the stop before its prefill returns
        gated.Open();
        await disposing;
        await Assert.ThrowsAsync<ObjectDisposedException>(() => running);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        Assert.Throws<ObjectDisposedException>(() => engine.CompleteAsync(new CompletionRequest(Prompt(1), Greedy(2))));
    }

    [Fact]
    public void Requests_the_engine_cannot_serve_are_refused_when_made()
    {
        using var fixture = new ServingFixture("gpt");
        using var engine = fixture.Engine();
        var beams = Greedy(4);
        beams.NumBeams = 2;
        Assert.Equal("NumBeams", Refusal(engine, Prompt(1), beams).Option);
        Assert.Equal("MaxNewTokens", Refusal(engine, Prompt(3), Greedy(32 - Prompt(3).Length + 1)).Option);
        Assert.Equal("PromptIds", Refusal(engine, [ServingFixture.Vocab], Greedy(2)).Option);
        Assert.Equal("MaxBatchSize", Assert.Throws<LoomUsageException>(() => fixture.Engine(maxBatchSize: 0)).Option);
        Assert.Equal("QueueLimit", Assert.Throws<LoomUsageException>(() => fixture.Engine(queueLimit: -1)).Option);
    }

    private static LoomUsageException Refusal(ContinuousBatchingEngine engine, int[] prompt, GenerationSettings settings) =>
        Assert.Throws<LoomUsageException>(() => engine.CompleteAsync(new CompletionRequest(prompt, settings)));

    /// <summary>Reads <paramref name="updates"/> updates of a 20-token request, then calls <paramref name="then"/> and leaves
    /// the enumeration (or, when <paramref name="then"/> cancelled it, reads on into the cancellation).</summary>
    private static async Task ReadThenAsync(ContinuousBatchingEngine engine, int[] prompt, int updates, Action then,
        CancellationToken cancellation)
    {
        int seen = 0;
        await foreach (var _ in engine.CompleteAsync(new CompletionRequest(prompt, Greedy(20)), cancellation))
            if (++seen == updates)
            {
                then();
                if (!cancellation.IsCancellationRequested) break;
            }
        Assert.Equal(updates, seen);
    }
}
