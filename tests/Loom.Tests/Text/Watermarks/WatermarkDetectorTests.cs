using Loom.Tests.Text.Generation;
using Loom.Tests.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Text.Watermarks;

namespace Loom.Tests.Text.Watermarks;

/// <summary>
/// Detection: the z-test against a naive count, repeated n-grams, and real generation with the tiny random-weights GPT-2
/// fixture (V = 1000): watermarked samples score high, the same model's plain samples do not, by ids and through the
/// tokenizer's text, for both seedings, sampling, greedy and beam search.
/// </summary>
public sealed class WatermarkDetectorTests
{
    private const int Vocab = 1000;

    private static WatermarkOptions Options(WatermarkSeeding seeding = WatermarkSeeding.PreviousToken) =>
        new() { Key = "test key", Gamma = 0.25, Delta = 2.0, Seeding = seeding };

    [Fact]
    public void The_z_score_is_the_one_proportion_test_over_the_green_count()
    {
        var random = new Random(3);
        var ids = Enumerable.Range(0, 300).Select(_ => random.Next(Vocab)).ToArray();
        var detector = new WatermarkDetector(Options(), Vocab);
        var result = detector.Detect(ids);
        var lists = new WatermarkGreenList(Options(), Vocab);
        int green = Enumerable.Range(1, ids.Length - 1).Count(t => lists.IsGreen([ids[t - 1]], ids[t]));
        double gamma = 250.0 / Vocab;
        double z = (green - gamma * 299) / Math.Sqrt(299 * gamma * (1 - gamma));
        Assert.Equal((299, green), (result.TokensScored, result.GreenTokens));
        Assert.Equal(z, result.ZScore, 12);
        Assert.Equal((double)green / 299, result.GreenFraction, 12);
        Assert.Equal(NormalTail.Upper(z), result.PValue, 12);
        Assert.Equal(z > 4, result.IsWatermarked);
        Assert.InRange(result.ZScore, -4, 4);   // random tokens are no watermark

        var none = detector.Detect([5]);
        Assert.Equal(0, none.TokensScored);
        Assert.True(double.IsNaN(none.ZScore));
        Assert.False(none.IsWatermarked);
    }

    [Fact]
    public void Ignoring_repeated_ngrams_scores_each_context_token_pair_once()
    {
        var lists = new WatermarkGreenList(Options(), Vocab);
        // A green pair repeated 60 times: counted each time it is hugely "watermarked"; counted once it is not.
        int a = 1, b = Enumerable.Range(0, Vocab).First(t => lists.IsGreen([a], t) && lists.IsGreen([t], a));
        var ids = Enumerable.Repeat(new[] { a, b }, 60).SelectMany(p => p).ToArray();
        var every = new WatermarkDetector(Options(), Vocab).Detect(ids);
        var once = new WatermarkDetector(Options(), Vocab) { IgnoreRepeatedNGrams = true }.Detect(ids);
        Assert.Equal((119, 119), (every.TokensScored, every.GreenTokens));
        Assert.True(every.IsWatermarked);
        Assert.Equal((2, 2), (once.TokensScored, once.GreenTokens));
        Assert.False(once.IsWatermarked);

        var random = new Random(9);
        var mixed = Enumerable.Range(0, 400).Select(_ => random.Next(6)).ToArray();
        var distinct = Enumerable.Range(1, mixed.Length - 1).Select(t => (mixed[t - 1], mixed[t])).Distinct().ToList();
        var result = new WatermarkDetector(Options(), Vocab) { IgnoreRepeatedNGrams = true }.Detect(mixed);
        Assert.Equal(distinct.Count, result.TokensScored);
        Assert.Equal(distinct.Count(p => lists.IsGreen([p.Item1], p.Item2)), result.GreenTokens);
    }

    [Theory]
    [InlineData(WatermarkSeeding.PreviousToken)]
    [InlineData(WatermarkSeeding.SelfHash)]
    public void Watermarked_samples_score_high_and_plain_samples_do_not(WatermarkSeeding seeding)
    {
        using var model = HfConformanceTests.LoadFixture("tiny-gpt2");
        var tokenizer = new IdTokenizer(Vocab);
        var generator = new TextGenerator(model, tokenizer, 0);
        var detector = new WatermarkDetector(Options(seeding), tokenizer);
        string[] prompts = [IdTokenizer.Text([1, 2, 3, 4]), IdTokenizer.Text([9, 8, 7, 6])];
        GenerationSettings Settings(WatermarkOptions? watermark) =>
            new() { DoSample = true, MaxNewTokens = 150, Seed = 11, Watermark = watermark };

        var marked = generator.Generate(prompts, Settings(Options(seeding)));
        var plain = generator.Generate(prompts, Settings(null));
        for (int i = 0; i < prompts.Length; i++)
        {
            var byIds = detector.Detect(marked[i].TokenIds);
            Assert.True(byIds.ZScore > 4, $"watermarked z = {byIds.ZScore}");
            Assert.Equal(byIds, detector.Detect(marked[i].Text));   // the text round-trips through the tokenizer
            var clean = detector.Detect(plain[i].Text);
            Assert.True(Math.Abs(clean.ZScore) < 3, $"plain z = {clean.ZScore}");
            Assert.False(clean.IsWatermarked);
            // The wrong key sees no watermark.
            var wrong = Options(seeding);
            wrong.Key = "other key";
            Assert.True(Math.Abs(new WatermarkDetector(wrong, tokenizer).Detect(marked[i].Text).ZScore) < 4);
        }
    }

    [Fact]
    public void Greedy_and_beam_search_are_watermarked_too()
    {
        using var model = HfConformanceTests.LoadFixture("tiny-gpt2");
        var tokenizer = new IdTokenizer(Vocab);
        var generator = new TextGenerator(model, tokenizer, 0);
        var detector = new WatermarkDetector(Options(), tokenizer) { IgnoreRepeatedNGrams = true };
        var prompt = IdTokenizer.Text([1, 2, 3, 4]);
        foreach (int beams in new[] { 1, 3 })
        {
            // No repeated bigrams: greedy decoding of a random model otherwise loops on one token.
            var settings = new GenerationSettings { MaxNewTokens = 60, NumBeams = beams, NoRepeatNGramSize = 2, Watermark = Options() };
            var marked = detector.Detect(generator.Generate([prompt], settings)[0].TokenIds);
            settings.Watermark = null;
            var plain = detector.Detect(generator.Generate([prompt], settings)[0].TokenIds);
            Assert.True(marked.GreenFraction > plain.GreenFraction, $"beams {beams}: {marked} vs {plain}");
            Assert.True(marked.ZScore > 4, $"beams {beams}: {marked}");
        }
    }
}
