using Loom.Core;
using Loom.Data;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Data;

/// <summary>
/// Bars and stripes: 2ⁿ⁺¹ − 2 distinct patterns, each once (a uniform distribution), each with constant rows or constant
/// columns, checked against a naive enumeration of all 2^(n·n) images; the validity check and the coverage count.
/// </summary>
public sealed class BarsAndStripesTests
{
    /// <summary>Naively: an image is a pattern when every row is constant or every column is.</summary>
    private static bool NaivePattern(IReadOnlyList<float> pixels, int n) =>
        Enumerable.Range(0, n).All(r => Enumerable.Range(0, n).All(c => pixels[r * n + c] == pixels[r * n]))
        || Enumerable.Range(0, n).All(c => Enumerable.Range(0, n).All(r => pixels[r * n + c] == pixels[c]));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_pattern_once_and_nothing_else(int n)
    {
        using var patterns = BarsAndStripes.Patterns(n);
        Assert.Equal([(1L << (n + 1)) - 2, n * n], patterns.shape);
        Assert.Equal((1L << (n + 1)) - 2, BarsAndStripes.PatternCount(n));
        var rows = Enumerable.Range(0, (int)patterns.shape[0]).Select(i => patterns[i].data<float>().ToArray()).ToList();
        var distinct = rows.Select(r => string.Concat(r.Select(x => x == 1 ? '1' : '0'))).ToHashSet();
        Assert.Equal(rows.Count, distinct.Count);  // each pattern exactly once: uniform frequencies
        Assert.All(rows, r => Assert.True(NaivePattern(r, n)));
        // The naive enumeration of all 2^(n·n) images finds the same number of patterns.
        int naive = Enumerable.Range(0, 1 << (n * n))
            .Count(code => NaivePattern(Enumerable.Range(0, n * n).Select(i => (float)((code >> i) & 1)).ToArray(), n));
        Assert.Equal(rows.Count, naive);
        using var valid = BarsAndStripes.IsPattern(patterns, n);
        Assert.True(valid.all().ToBoolean());
        Assert.Equal((int)patterns.shape[0], BarsAndStripes.DistinctPatterns(patterns, n));
    }

    [Fact]
    public void The_data_set_is_the_4x4_patterns_as_images_and_the_same_every_time()
    {
        Assert.True(BarsAndStripes.TryParse("bars-stripes", out int size));
        Assert.Equal(4, size);
        Assert.True(BarsAndStripes.TryParse("BAS-3", out size));
        Assert.Equal(3, size);
        Assert.False(BarsAndStripes.TryParse("8gaussians", out _));
        Assert.Throws<LoomUsageException>(() => BarsAndStripes.TryParse("bars-stripes-9", out _));
        Assert.Equal(Math.Log(30), BarsAndStripes.OptimalNll(4), 12);
        using var a = BarsAndStripes.Load(4);
        using var b = BarsAndStripes.Load(4);
        Assert.Equal([30, 1, 4, 4], a.Examples.shape);
        Assert.True(a.Images);
        Assert.True(a.Examples.eq(b.Examples).all().ToBoolean());
        Assert.Equal(a.Provenance, b.Provenance);
        using var means = a.Examples.mean([0]);
        NumericAssert.Close(0.5, means.min().ToDouble(), 0, 1e-6);   // every pixel is on in exactly half the patterns
        NumericAssert.Close(0.5, means.max().ToDouble(), 0, 1e-6);
    }

    [Fact]
    public void Invalid_images_are_not_counted()
    {
        using var patterns = BarsAndStripes.Patterns(4);
        var broken = patterns.narrow(0, 0, 3).clone();
        broken[0, 5] = torch.tensor(1 - broken[0, 5].ToSingle());   // one flipped pixel breaks a pattern
        var samples = torch.cat([broken, patterns.narrow(0, 1, 2)]);  // patterns 1 and 2 twice
        var valid = BarsAndStripes.IsPattern(samples, 4).data<bool>().ToArray();
        Assert.Equal([false, true, true, true, true], valid);
        Assert.Equal(2, BarsAndStripes.DistinctPatterns(samples, 4));
    }
}
