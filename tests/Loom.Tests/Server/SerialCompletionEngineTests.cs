using Loom.Tests.AI;
using Loom.Text.Serving;

namespace Loom.Tests.Server;

/// <summary>
/// <see cref="SerialCompletionEngine"/>: a request streams exactly what the decoding engine generates for its prompt ids,
/// then one finish update with usage; a full queue throws at once; cancelling frees the engine.
/// </summary>
public sealed class SerialCompletionEngineTests
{
    [Fact]
    public async Task A_request_streams_the_decoding_engines_tokens_then_its_finish_reason()
    {
        using var model = TinyChatModel.Create();
        using var engine = new SerialCompletionEngine(model, queueLimit: 4);
        var settings = model.DefaultSettings(12);
        settings.Seed = 9;
        settings.Stop.Add("e");
        var ids = model.Tokenizer.Encode("hello");
        var expected = model.CreateGenerator().Generate([(IReadOnlyList<int>)ids], settings)[0];

        var updates = new List<CompletionUpdate>();
        await foreach (var update in engine.CompleteAsync(new CompletionRequest(ids, settings)))
            updates.Add(update);
        Assert.Equal(expected.Text, string.Concat(updates.Select(u => u.Token?.Text)));
        Assert.Equal(expected.TokenIds, updates.Select(u => u.Token).OfType<Loom.Text.Generation.GeneratedToken>()
            .Where(t => t.TokenId >= 0).Select(t => t.TokenId));
        var last = updates[^1];
        Assert.Equal(expected.FinishReason, last.FinishReason);
        Assert.Single(updates, u => u.FinishReason is not null);
        Assert.Equal((ids.Length, expected.TokenIds.Count), (last.PromptTokens, last.CompletionTokens));
        Assert.Equal((0, 0), (engine.QueueDepth, engine.ActiveRequests));
    }

    [Fact]
    public async Task Over_the_queue_limit_a_request_is_refused_at_once_and_cancelling_frees_the_engine()
    {
        using var model = TinyChatModel.Create();
        using var engine = new SerialCompletionEngine(model, queueLimit: 0);
        var settings = model.DefaultSettings(100_000);
        using var cancel = new CancellationTokenSource();
        var running = engine.CompleteAsync(new CompletionRequest([1], settings), cancel.Token).GetAsyncEnumerator();
        Assert.True(await running.MoveNextAsync());   // decoding now
        Assert.Equal(1, engine.ActiveRequests);
        var full = await Assert.ThrowsAsync<EngineQueueFullException>(async () =>
        {
            await foreach (var _ in engine.CompleteAsync(new CompletionRequest([1], settings))) { }
        });
        Assert.Equal(0, full.QueueLimit);

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            while (await running.MoveNextAsync()) { }
        });
        await running.DisposeAsync();   // returns once the worker has let go of the request
        Assert.Equal((0, 0), (engine.QueueDepth, engine.ActiveRequests));
        var small = model.DefaultSettings(2);
        int count = 0;
        await foreach (var update in engine.CompleteAsync(new CompletionRequest([1], small))) count++;
        Assert.Equal(3, count);
    }
}
