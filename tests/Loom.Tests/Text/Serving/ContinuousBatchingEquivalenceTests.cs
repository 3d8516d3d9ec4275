using Loom.Text.Decoding;
using static Loom.Tests.Text.Serving.ServingFixture;

namespace Loom.Tests.Text.Serving;

/// <summary>
/// Batched = alone: requests of different lengths and settings decoding together in one engine get exactly the tokens
/// <see cref="Loom.Text.Generation.TextGenerator"/> gives each of them alone, on transformers and recurrent models.
/// </summary>
public sealed class ContinuousBatchingEquivalenceTests
{
    public static TheoryData<string> Kinds => new() { "gpt", "llama", "gru", "lstm" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Concurrent_greedy_requests_get_the_tokens_they_get_alone(string kind)
    {
        using var fixture = new ServingFixture(kind);
        // Six requests (more than the shared state's first four rows), different prompt lengths and lengths, so rows
        // join with padding and leave at different steps.
        var requests = Enumerable.Range(0, 6).Select(i => (Prompt: Prompt(i), Settings: Greedy(8 + i * 3 % 12))).ToList();
        using var gated = new GatedModel(fixture.Model);
        using (var engine = fixture.Engine(gated))
        {
            var running = requests.Select(r => CollectAsync(engine, r.Prompt, r.Settings)).ToList();
            await gated.ArrivalsAsync(1);   // all six are queued before the first pass runs, so they decode together
            gated.Open();
            var results = await Task.WhenAll(running);
            for (int i = 0; i < requests.Count; i++)
                Assert.Equal(fixture.Alone(requests[i].Prompt, requests[i].Settings).TokenIds, TokenIds(results[i]));
            Assert.Equal(0, engine.ActiveRequests);
        }
        Assert.Equal(requests.Count, gated.MaxRows);
    }

    [Theory]
    [InlineData("gpt")]
    [InlineData("llama")]
    [InlineData("lstm")]
    public async Task Seeded_sampled_requests_draw_the_tokens_they_draw_alone(string kind)
    {
        using var fixture = new ServingFixture(kind);
        var requests = Enumerable.Range(0, 5).Select(i => (Prompt: Prompt(i), Settings: new GenerationSettings
        {
            DoSample = true, MaxNewTokens = 12 + i, Seed = 100 + i, TopK = 20, Temperature = 1.3,
        })).ToList();
        using var engine = fixture.Engine();
        var results = await Task.WhenAll(requests.Select(r => CollectAsync(engine, r.Prompt, r.Settings)));
        for (int i = 0; i < requests.Count; i++)
            Assert.Equal(fixture.Alone(requests[i].Prompt, requests[i].Settings).TokenIds, TokenIds(results[i]));
    }

    [Fact]
    public async Task Each_row_keeps_its_own_temperature_penalties_and_logit_bias()
    {
        using var fixture = new ServingFixture("llama");
        GenerationSettings[] settings =
        [
            new() { MaxNewTokens = 14, RepetitionPenalty = 1.6, NoRepeatNGramSize = 2 },
            new() { MaxNewTokens = 16, DoSample = true, Seed = 4, Temperature = 0.6, FrequencyPenalty = 0.9 },
            new() { MaxNewTokens = 10, LogitBias = new() { [5] = 3.5f, [6] = -100f } },
            new() { MaxNewTokens = 12, DoSample = true, Seed = 9, TopP = 0.8, PresencePenalty = 0.7, MinP = 0.05 },
            new() { MaxNewTokens = 15, BadWordsIds = [[3], [8, 9]], MinNewTokens = 6, EosTokenIds = [2] },
        ];
        using var engine = fixture.Engine();
        var results = await Task.WhenAll(settings.Select((s, i) => CollectAsync(engine, Prompt(i), s)));
        for (int i = 0; i < settings.Length; i++)
        {
            var alone = fixture.Alone(Prompt(i), settings[i]);
            Assert.Equal(alone.TokenIds, TokenIds(results[i]));
            Assert.Equal(alone.Text, ServingFixture.Text(results[i]));
            Assert.Equal(alone.FinishReason, results[i][^1].FinishReason);
        }
    }

    [Fact]
    public async Task A_request_that_joins_mid_decode_gets_the_tokens_it_gets_alone()
    {
        using var fixture = new ServingFixture("gpt");
        // The first request's prefill and four steps run before the second one comes.
        int rows = await RunWithLateJoinersAsync(fixture, (Prompt(2), Greedy(20)), 5, (Prompt(1), Greedy(12)));
        Assert.Equal(2, rows);
    }

    [Theory]
    [InlineData("gpt")]
    [InlineData("llama")]
    [InlineData("gru")]
    public async Task Rows_stay_exact_when_the_shared_state_compacts(string kind)
    {
        // Context 32 and capacity 32 from the start. A 1-token request joins when 15 columns are filled (14 of padding);
        // once the first row leaves, it reaches the capacity and the padding is dropped. A 17-token request joining with
        // it is longer than the shared length: every row is padded on the left.
        using var fixture = new ServingFixture(kind);
        await RunWithLateJoinersAsync(fixture, (Prompt(1), Greedy(14)), 11,
            (Prompt(0), Greedy(28)), ([.. Prompt(3), .. Prompt(2)], Greedy(8)));
    }

    [Fact]
    public async Task Rows_stay_exact_when_the_shared_state_grows()
    {
        // The first request needs 63 columns (capacity 64). A 10-token request joins when 24 are filled (14 columns of
        // padding) and needs 109: at 64 columns its padding is too little to drop, so the state is rebuilt with 128.
        using var fixture = new ServingFixture(LongContext);
        await RunWithLateJoinersAsync(fixture, (Prompt(1), Greedy(60)), 20, (Prompt(3), Greedy(100)));
    }

    /// <summary>
    /// Runs <paramref name="first"/> for <paramref name="passes"/> forward passes, then lets <paramref name="late"/> join
    /// (at the next step boundary) and checks every request against its tokens alone. Returns the most rows in one pass.
    /// </summary>
    private static async Task<int> RunWithLateJoinersAsync(ServingFixture fixture, (int[] Prompt, GenerationSettings Settings) first,
        int passes, params (int[] Prompt, GenerationSettings Settings)[] late)
    {
        using var gated = new GatedModel(fixture.Model);
        using var engine = fixture.Engine(gated);
        var firstRun = CollectAsync(engine, first.Prompt, first.Settings);
        gated.Allow(passes);
        await gated.ArrivalsAsync(passes + 1);   // the worker waits in the next pass: the first request is mid-decode
        var requests = new[] { first }.Concat(late).ToList();
        var runs = new[] { firstRun }.Concat(late.Select(r => CollectAsync(engine, r.Prompt, r.Settings))).ToList();
        gated.Open();
        var results = await Task.WhenAll(runs);
        for (int i = 0; i < requests.Count; i++)
            Assert.Equal(fixture.Alone(requests[i].Prompt, requests[i].Settings).TokenIds, TokenIds(results[i]));
        return gated.MaxRows;
    }
}
