using Loom.Text.Decoding;
using Loom.Text.Watermarks;
using TorchSharp;
using static Loom.Tests.Text.Decoding.DecodingTestData;

namespace Loom.Tests.Text.Watermarks;

/// <summary>The logits processor against a naive reference (δ on each row's green list), δ = 0, short rows, batching,
/// and where generation settings put it.</summary>
public sealed class WatermarkProcessorTests
{
    private static readonly WatermarkOptions Key = new() { Key = "k", Gamma = 0.25, Delta = 2.0 };

    private static float[] RandomRow(int vocab, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, vocab).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
    }

    [Theory]
    [InlineData(WatermarkSeeding.PreviousToken)]
    [InlineData(WatermarkSeeding.SelfHash)]
    public void Adds_delta_to_each_rows_green_tokens_only(WatermarkSeeding seeding)
    {
        const int vocab = 64;
        var options = Key.Clone();
        options.Seeding = seeding;
        long[][] history = [[3, 9, 4, 1, 7], [5, 5, 2, 8, 60], [0, 1, 2, 3, 4]];
        using var ids = Ids(history);
        using var scores = Scores(RandomRow(vocab, 1), RandomRow(vocab, 2), RandomRow(vocab, 3));
        using var result = new WatermarkProcessor(options).Process(ids, scores);
        var lists = new WatermarkGreenList(options, vocab);
        var before = Rows(scores);
        var after = Rows(result);
        for (int r = 0; r < history.Length; r++)
            for (int token = 0; token < vocab; token++)
            {
                float expected = before[r][token] + (lists.IsGreen(history[r], token) ? 2f : 0f);
                Assert.Equal(expected, after[r][token], 5);
            }
    }

    [Fact]
    public void Delta_zero_leaves_scores_unchanged_and_short_rows_are_left_alone()
    {
        var zero = Key.Clone();
        zero.Delta = 0;
        using var ids = Ids([1, 2, 3, 4, 5]);
        using var scores = Scores(RandomRow(32, 4));
        using var same = new WatermarkProcessor(zero).Process(ids, scores);
        Assert.True(same.eq(scores).all().item<bool>());

        var selfHash = Key.Clone();
        selfHash.Seeding = WatermarkSeeding.SelfHash;
        using var short3 = Ids([1, 2, 3]);
        using var unchanged = new WatermarkProcessor(selfHash).Process(short3, scores);
        Assert.True(unchanged.eq(scores).all().item<bool>());
        using var empty = NoIds();
        using var unchangedEmpty = new WatermarkProcessor(Key).Process(empty, scores);
        Assert.True(unchangedEmpty.eq(scores).all().item<bool>());
    }

    [Fact]
    public void A_row_gets_the_same_bias_alone_and_in_a_batch()
    {
        using var batchIds = Ids([4, 8, 15, 16], [23, 42, 4, 8]);
        using var batchScores = Scores(RandomRow(50, 5), RandomRow(50, 6));
        using var batched = new WatermarkProcessor(Key).Process(batchIds, batchScores);
        using var aloneIds = Ids([23, 42, 4, 8]);
        using var aloneScores = Scores(RandomRow(50, 6));
        using var alone = new WatermarkProcessor(Key).Process(aloneIds, aloneScores);
        Assert.Equal(Rows(alone)[0], Rows(batched)[1]);
    }

    [Fact]
    public void Settings_put_the_watermark_before_the_sampling_warpers_and_only_when_delta_is_positive()
    {
        var settings = new GenerationSettings { DoSample = true, Temperature = 0.7, TopK = 5, RepetitionPenalty = 1.2, Watermark = Key };
        var kinds = settings.BuildProcessors(2).Processors.Select(p => p.GetType()).ToList();
        Assert.Equal([typeof(RepetitionPenaltyProcessor), typeof(WatermarkProcessor), typeof(TemperatureProcessor),
            typeof(TopKProcessor)], kinds);
        var greedy = new GenerationSettings { Watermark = Key };
        Assert.IsType<WatermarkProcessor>(Assert.Single(greedy.BuildProcessors(0).Processors));
        var off = new GenerationSettings { Watermark = new WatermarkOptions { Key = "k", Delta = 0 } };
        Assert.Empty(off.BuildProcessors(0).Processors);
    }

    [Fact]
    public void Settings_validate_clone_and_round_trip_the_watermark_through_json()
    {
        var settings = new GenerationSettings
        {
            Watermark = new WatermarkOptions { Key = "s3cret", Gamma = 0.5, Delta = 1.5, Seeding = WatermarkSeeding.SelfHash },
        };
        var json = settings.ToJson();
        Assert.Contains("\"self_hash\"", json);
        var back = GenerationSettings.FromJson(json).Watermark!;
        Assert.Equal(("s3cret", 0.5, 1.5, WatermarkSeeding.SelfHash), (back.Key, back.Gamma, back.Delta, back.Seeding));
        Assert.DoesNotContain("watermark", new GenerationSettings().ToJson());   // settings without one read as before
        Assert.Null(GenerationSettings.FromJson(new GenerationSettings().ToJson()).Watermark);

        var copy = settings.Clone();
        copy.Watermark!.Gamma = 0.1;
        Assert.Equal(0.5, settings.Watermark.Gamma);

        settings.Watermark.Gamma = 1.5;
        Assert.Equal("Gamma", Assert.Throws<Loom.Core.LoomUsageException>(settings.Validate).Option);
        Assert.Throws<Loom.Core.LoomUsageException>(() => GenerationSettings.FromJson("""{"watermark": {"key": ""}}"""));
        Assert.Throws<Loom.Core.LoomDataException>(() => GenerationSettings.FromJson("""{"watermark": {"key": "k", "seeding": "x"}}"""));
    }
}
