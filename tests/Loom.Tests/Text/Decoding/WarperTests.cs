using Loom.Text.Decoding;
using static Loom.Tests.Text.Decoding.DecodingTestData;

namespace Loom.Tests.Text.Decoding;

/// <summary>Temperature, top-k, top-p, min-p and typical-p against hand-computed expectations.</summary>
public class WarperTests
{
    private static readonly float[] Raw = [1f, -2f, 0.5f, 3f, 0f, -1f];

    [Fact]
    public void TemperatureDividesEveryScore()
    {
        using var ids = NoIds();
        using var scores = Scores(Raw);
        using var hot = new TemperatureProcessor(2).Process(ids, scores);
        using var cold = new TemperatureProcessor(0.5).Process(ids, scores);
        AssertScores(hot, [0.5f, -1f, 0.25f, 1.5f, 0f, -0.5f]);
        AssertScores(cold, [2f, -4f, 1f, 6f, 0f, -2f]);
    }

    [Fact]
    public void TopKKeepsTheKBestPerRow()
    {
        using var ids = NoIds(2);
        using var scores = Scores(Raw, [0f, 1f, 2f, 3f, 4f, 5f]);
        using var result = new TopKProcessor(3).Process(ids, scores);
        AssertScores(result, [1f, NegInf, 0.5f, 3f, NegInf, NegInf], [NegInf, NegInf, NegInf, 3f, 4f, 5f]);
    }

    [Fact]
    public void TopKKeepsTiesWithTheKthAndHonoursMinTokensAndLargeK()
    {
        using var ids = NoIds();
        using var tied = Scores([2f, 1f, 1f, 0f, -1f, 1f]);
        Assert.Equal([0, 1, 2, 5], Kept(new TopKProcessor(2).Process(ids, tied))[0]);
        using var scores = Scores(Raw);
        Assert.Equal([0, 2, 3, 4], Kept(new TopKProcessor(2, minTokensToKeep: 4).Process(ids, scores))[0]);
        Assert.Equal([0, 1, 2, 3, 4, 5], Kept(new TopKProcessor(50).Process(ids, scores))[0]);
    }

    // Probs ascending: 0.04 (0), 0.06 (5), 0.1 (1), 0.15 (4), 0.25 (3), 0.4 (2); cumulative 0.04, 0.1, 0.2, 0.35, 0.6, 1.
    // A token goes while its cumulative sum is ≤ 1 - p.
    [Theory]
    [InlineData(0.6, 1, new[] { 2, 3 })]           // remove while cum ≤ 0.4: the first four; kept mass 0.65
    [InlineData(0.7, 1, new[] { 2, 3, 4 })]        // remove while cum ≤ 0.3: the first three
    [InlineData(0.3, 1, new[] { 2 })]              // remove while cum ≤ 0.7: all but the best
    [InlineData(0.3, 3, new[] { 2, 3, 4 })]        // ... but three must stay
    [InlineData(1.0, 1, new[] { 0, 1, 2, 3, 4, 5 })]
    public void TopPKeepsTheSmallestNucleus(double p, int minKeep, int[] kept)
    {
        using var ids = NoIds();
        using var scores = LogitsOf(Probs);
        using var result = new TopPProcessor(p, minKeep).Process(ids, scores);
        Assert.Equal(kept, Kept(result)[0]);
        var raw = Rows(scores)[0];
        Assert.All(kept, i => Assert.Equal(raw[i], Rows(result)[0][i]));
    }

    // Best probability 0.4: min-p 0.3 → threshold 0.12, min-p 0.5 → threshold 0.2.
    [Theory]
    [InlineData(0.3, 1, new[] { 2, 3, 4 })]
    [InlineData(0.5, 1, new[] { 2, 3 })]
    [InlineData(0.9, 1, new[] { 2 })]
    [InlineData(0.9, 3, new[] { 2, 3, 4 })]
    [InlineData(0.0, 1, new[] { 0, 1, 2, 3, 4, 5 })]
    public void MinPKeepsTokensAboveAFractionOfTheBest(double minP, int minKeep, int[] kept)
    {
        using var ids = NoIds();
        using var scores = LogitsOf(Probs);
        using var result = new MinPProcessor(minP, minKeep).Process(ids, scores);
        Assert.Equal(kept, Kept(result)[0]);
    }

    // Entropy H = −Σ p ln p = 1.52548 nats. Distances |−ln p − H|: token 0 1.6934, 1 0.7771, 2 0.6092, 3 0.1392,
    // 4 0.3716, 5 1.2879, so the typical order is 3, 4, 2, 1, 5, 0 with cumulative probability 0.25, 0.4, 0.8, 0.9,
    // 0.96, 1. The cut-off is the first position whose cumulative sum reaches the mass.
    [Theory]
    [InlineData(0.2, 1, new[] { 3 })]
    [InlineData(0.2, 2, new[] { 3, 4 })]
    [InlineData(0.3, 1, new[] { 3, 4 })]
    [InlineData(0.5, 1, new[] { 2, 3, 4 })]
    [InlineData(0.85, 1, new[] { 1, 2, 3, 4 })]
    [InlineData(0.95, 1, new[] { 1, 2, 3, 4, 5 })]
    public void TypicalKeepsTokensWhoseSurprisalIsClosestToTheEntropy(double mass, int minKeep, int[] kept)
    {
        using var ids = NoIds();
        using var scores = LogitsOf(Probs);
        using var result = new TypicalProcessor(mass, minKeep).Process(ids, scores);
        Assert.Equal(kept, Kept(result)[0]);
    }

    [Fact]
    public void WarpersIgnoreTokensAlreadyRemoved()
    {
        using var ids = NoIds();
        // Token 5 already banned: p over the rest is 0.04, 0.1, 0.4, 0.25, 0.15 (+0.06 gone), renormalised by softmax.
        using var scores = Scores(Probs.Select((p, i) => i == 5 ? NegInf : (float)Math.Log(p)).ToArray());
        Assert.Equal([2, 3], Kept(new TopPProcessor(0.6).Process(ids, scores))[0]);
        Assert.DoesNotContain(5, Kept(new TypicalProcessor(0.95).Process(ids, scores))[0]);
        Assert.DoesNotContain(5, Kept(new MinPProcessor(0).Process(ids, scores))[0]);
        Assert.Equal([2, 3, 4], Kept(new TopKProcessor(3).Process(ids, scores))[0]);
    }
}
