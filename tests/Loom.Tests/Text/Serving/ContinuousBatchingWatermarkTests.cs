using Loom.Text.Decoding;
using Loom.Text.Watermarks;
using static Loom.Tests.Text.Serving.ServingFixture;

namespace Loom.Tests.Text.Serving;

/// <summary>Watermarked requests in the batching engine get the tokens they get alone, next to unwatermarked ones.</summary>
public sealed class ContinuousBatchingWatermarkTests
{
    [Theory]
    [InlineData("gpt")]
    [InlineData("lstm")]
    public async Task Watermarked_rows_equal_the_request_alone(string kind)
    {
        using var fixture = new ServingFixture(kind);
        var seedings = new[] { WatermarkSeeding.PreviousToken, WatermarkSeeding.SelfHash };
        var settings = Enumerable.Range(0, 4).Select(i => new GenerationSettings
        {
            MaxNewTokens = 10 + i, DoSample = i % 2 == 0, Seed = 30 + i,
            Watermark = i == 3 ? null : new WatermarkOptions { Key = $"key {i}", Delta = 3, Seeding = seedings[i % 2] },
        }).ToList();
        using var engine = fixture.Engine();
        var results = await Task.WhenAll(settings.Select((s, i) => CollectAsync(engine, Prompt(i), s)));
        for (int i = 0; i < settings.Count; i++)
            Assert.Equal(fixture.Alone(Prompt(i), settings[i]).TokenIds, TokenIds(results[i]));
        // The watermark changed what the first request decodes.
        var plain = settings[0].Clone();
        plain.Watermark = null;
        Assert.NotEqual(fixture.Alone(Prompt(0), plain).TokenIds, TokenIds(results[0]));
    }
}
