using Loom.Core;
using Loom.Text.Decoding;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Text.Decoding;

/// <summary>
/// <see cref="TokenSelector.SelectValues"/>'s managed path against the tensor path (<see cref="TokenSelector.Select"/>):
/// the same tokens (greedy and seeded sampling), log-probabilities and alternatives.
/// </summary>
public class TokenSelectorTests
{
    private static Tensor RandomScores(long batch, long vocabulary, long seed)
    {
        using var g = new torch.Generator((ulong)seed);
        return torch.randn([batch, vocabulary], generator: g) * 3;
    }

    [Theory]
    [InlineData(false, 1, 65)]
    [InlineData(false, 3, 1000)]
    [InlineData(true, 1, 65)]
    [InlineData(true, 4, 500)]
    public void ManagedChoiceEqualsTheTensorPath(bool sample, int batch, int vocabulary)
    {
        using var managed = new TokenSelector(sample, topLogProbs: 5, seed: 11);
        using var tensors = new TokenSelector(sample, topLogProbs: 5, seed: 11);
        for (int step = 0; step < 40; step++)
        {
            using var scores = RandomScores(batch, vocabulary, 100 + step);
            using var raw = scores + 0.5 * RandomScores(batch, vocabulary, 900 + step);
            var values = managed.SelectValues(scores, raw);
            using var expected = tensors.Select(scores, raw);
            Assert.Equal(expected.Tokens.data<long>().ToArray(), values.Tokens);
            var logProbs = expected.LogProbs.to(ScalarType.Float64).data<double>().ToArray();
            for (int b = 0; b < batch; b++)
                Assert.Equal(logProbs[b], values.LogProbs[b], 4e-6);
            Assert.Equal(5, values.Alternatives);
            Assert.Equal(expected.TopTokens!.data<long>().ToArray(), values.TopTokens);
            var top = expected.TopLogProbs!.to(ScalarType.Float64).data<double>().ToArray();
            for (int i = 0; i < top.Length; i++)
                Assert.Equal(top[i], values.TopLogProbs![i], 4e-6);
        }
    }

    [Fact]
    public void GreedyTiesGoToTheLowestIdAndRemovedTokensAreNeverChosen()
    {
        using var selector = new TokenSelector(doSample: false);
        using var scores = torch.tensor(new[] { float.NegativeInfinity, 2f, 5f, 5f, 1f }).view(1, -1);
        var values = selector.SelectValues(scores);
        Assert.Equal([2L], values.Tokens);
        Assert.Null(values.TopTokens);
        Assert.Equal(Math.Log(Math.Exp(5) / (2 * Math.Exp(5) + Math.Exp(2) + Math.Exp(1))), values.LogProbs[0], 5);
    }

    [Fact]
    public void SamplingNeverPicksARemovedTokenAndFollowsTheProbabilities()
    {
        using var selector = new TokenSelector(doSample: true, seed: 3);
        var p = new[] { 0.1, 0.6, 0.0, 0.3 };
        using var scores = torch.tensor(p.Select(v => (float)Math.Log(v)).ToArray()).view(1, -1);
        var counts = new int[4];
        const int draws = 4000;
        for (int i = 0; i < draws; i++)
            counts[selector.SelectValues(scores).Tokens[0]]++;
        Assert.Equal(0, counts[2]);
        for (int t = 0; t < 4; t++)   // 5 standard deviations of a binomial count
            Assert.InRange(counts[t], draws * p[t] - 5 * Math.Sqrt(draws * p[t] * (1 - p[t])),
                draws * p[t] + 5 * Math.Sqrt(draws * p[t] * (1 - p[t])));
    }

    [Fact]
    public void ARowWithoutAFiniteScoreIsRefused()
    {
        using var selector = new TokenSelector(doSample: false);
        using var removed = torch.full([1, 4], float.NegativeInfinity);
        Assert.Throws<LoomUsageException>(() => selector.SelectValues(removed));
        using var nan = torch.tensor(new[] { 1f, float.NaN, 0f }).view(1, -1);
        Assert.Throws<LoomUsageException>(() => selector.SelectValues(nan));
    }

    [Fact]
    public void NonContiguousOrDoubleScoresTakeTheTensorPathWithTheSameResult()
    {
        using var selector = new TokenSelector(doSample: false, topLogProbs: 2);
        using var scores = RandomScores(6, 3, 5);
        using var transposed = scores.t();   // [3, 6], not contiguous
        using var contiguous = transposed.contiguous();
        using var asDouble = contiguous.to(ScalarType.Float64);
        var a = selector.SelectValues(transposed);
        var b = selector.SelectValues(contiguous);
        var c = selector.SelectValues(asDouble);
        Assert.Equal(b.Tokens, a.Tokens);
        Assert.Equal(b.Tokens, c.Tokens);
        Assert.Equal(b.TopTokens, a.TopTokens);
        for (int i = 0; i < b.LogProbs.Length; i++)
            Assert.Equal(b.LogProbs[i], a.LogProbs[i], 5);
    }
}
