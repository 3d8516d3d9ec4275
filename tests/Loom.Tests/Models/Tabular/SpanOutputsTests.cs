using Loom.Models.Tabular.Neural;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// How network scores become rows: value spans pass through tanh; one-hot spans are either draws from their softmax (the
/// frequencies match it) or the highest score of each row (<see cref="OneHotChoice.MostLikely"/>), except for columns a
/// condition fixes.
/// </summary>
public sealed class SpanOutputsTests
{
    private static readonly OutputSpan[] Spans =
    [
        new(0, 1, SpanActivation.Tanh, 0, SpanRole.Value),
        new(1, 3, SpanActivation.Softmax, 0, SpanRole.Mode),
    ];

    [Fact]
    public void MostLikelyTakesEachRowsHighestScore()
    {
        using var raw = tensor(new float[] { 0.5f, 0.1f, 2.0f, 1.9f, -0.3f, 3.0f, -1f, 2.9f }, [2, 4]);
        using var generator = new Generator(1);
        using var rows = SpanOutputs.Draw(raw, Spans, generator, new SpanChoices(OneHotChoice.MostLikely, new HashSet<int>()));
        var values = rows.data<float>().ToArray();
        Assert.Equal(MathF.Tanh(0.5f), values[0], 6);
        Assert.Equal(new float[] { 0, 1, 0 }, values[1..4]);
        Assert.Equal(MathF.Tanh(-0.3f), values[4], 6);
        Assert.Equal(new float[] { 1, 0, 0 }, values[5..8]);
    }

    [Fact]
    public void DrawsFollowTheSoftmax()
    {
        const int rows = 20000;
        var scores = new[] { 0f, 1f, -0.5f };
        using var raw = zeros(new long[] { rows, 4 }, dtype: ScalarType.Float32);
        raw.narrow(1, 1, 3).copy_(tensor(scores).expand(rows, 3));
        using var generator = new Generator(7);
        using var drawn = SpanOutputs.Draw(raw, Spans, generator, SpanChoices.AllDrawn);
        var counts = drawn.narrow(1, 1, 3).sum([0L]).data<float>().ToArray();
        Assert.Equal(rows, counts.Sum());
        double partition = scores.Sum(s => Math.Exp(s));
        double chiSquare = 0;
        for (int k = 0; k < 3; k++)
        {
            double expected = rows * Math.Exp(scores[k]) / partition;
            chiSquare += Math.Pow(counts[k] - expected, 2) / expected;
        }
        // Two degrees of freedom: P(χ² > 13.8) = 0.001.
        Assert.True(chiSquare < 13.8, $"χ² {chiSquare:F2}, counts {string.Join(", ", counts)}");
        using var again = new Generator(7);
        using var repeated = SpanOutputs.Draw(raw, Spans, again);
        Assert.True(repeated.equal(drawn).all().item<bool>());

        // A column a condition fixes is drawn even when the others take their most likely entry.
        using var third = new Generator(7);
        using var conditioned = SpanOutputs.Draw(raw, Spans, third, new SpanChoices(OneHotChoice.MostLikely, new HashSet<int> { 0 }));
        Assert.True(conditioned.equal(drawn).all().item<bool>());
    }
}
