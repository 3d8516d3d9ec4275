using TorchSharp;
using Loom.Models.Language;

namespace Loom.Tests.Language;

/// <summary>DP-SGD's examples for a language model: disjoint windows of a stream, or whole lines, Poisson-sampled.</summary>
public class LanguageModelPrivateBatchesTests
{
    [Fact]
    public void AStreamsExamplesAreItsDisjointWindows()
    {
        var tokens = Enumerable.Range(0, 111).Select(i => i % 7).ToArray();
        var data = LanguageModelData.FromStream(tokens, validationFraction: 0.1);   // 99 training tokens
        Assert.Equal(98 / 8, data.PrivateExamples(8));
        var (x, y) = data.PoissonBatch(1.0, 8, seed: 1, step: 0)!.Value;
        Assert.Equal(new long[] { 12, 8 }, x.shape);
        for (int b = 0; b < 12; b++)
            for (int t = 0; t < 8; t++)
            {
                Assert.Equal(tokens[b * 8 + t], x[b, t].ToInt64());
                Assert.Equal(tokens[b * 8 + t + 1], y[b, t].ToInt64());
            }
    }

    [Fact]
    public void LinesAreExamplesAndBatchesArePoissonDraws()
    {
        var lines = Enumerable.Range(0, 400).Select(i => Enumerable.Repeat(1 + i % 5, 1 + i % 4).ToArray()).ToList();
        var data = LanguageModelData.FromLines(lines, delimiter: 0, seed: 2);
        Assert.Equal(360, data.PrivateExamples(16));
        var sizes = Enumerable.Range(0, 200).Select(step => data.PoissonBatch(0.05, 16, 3, step) is var (x, _) ? x.shape[0] : 0).ToList();
        Assert.InRange(sizes.Average(), 0.05 * 360 * 0.85, 0.05 * 360 * 1.15);
        Assert.True(sizes.Distinct().Count() > 3, "Poisson batches vary in size");
        Assert.Equal(sizes[7], data.PoissonBatch(0.05, 16, 3, 7)!.Value.Inputs.shape[0]);   // a pure function of (seed, step)
        Assert.Null(LanguageModelData.FromLines(lines, 0, 2).PoissonBatch(1e-9, 16, 3, 0));
    }
}
