using Loom.Models.Transformer.FusedDecode;

namespace Loom.Tests.Transformer;

/// <summary>
/// The fused decode step's vector loops (<see cref="VectorKernels"/>) against plain double-precision loops, at lengths
/// that exercise the eight-lane body, the sixteen-lane body and the scalar tail.
/// </summary>
public sealed unsafe class VectorKernelsTests
{
    public static TheoryData<int> Lengths => new() { 1, 7, 8, 13, 16, 23, 64, 385 };

    private static float[] Values(int n, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sum_dot_add_and_scaled_add_match_plain_loops(int n)
    {
        float[] a = Values(n, 1), b = Values(n, 2), sum = new float[n], accumulator = Values(n, 3);
        var expectedAccumulator = accumulator.Select((v, i) => v + a[i] * 0.37).ToArray();
        fixed (float* pa = a, pb = b, ps = sum, pc = accumulator)
        {
            Assert.Equal(a.Sum(v => (double)v), VectorKernels.Sum(pa, n), 1e-4);
            Assert.Equal(a.Select((v, i) => (double)v * b[i]).Sum(), VectorKernels.Dot(pa, pb, n), 1e-4);
            VectorKernels.Add(pa, pb, ps, n);
            VectorKernels.AddScaled(pa, 0.37f, pc, n);
        }
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(a[i] + b[i], sum[i]);
            Assert.Equal(expectedAccumulator[i], accumulator[i], 1e-6);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Softmax_matches_the_definition(int n)
    {
        float[] x = Values(n, 4, scale: 30f);
        double max = x.Max();
        double total = x.Sum(v => Math.Exp(v - max));
        var expected = x.Select(v => Math.Exp(v - max) / total).ToArray();
        fixed (float* p = x) VectorKernels.SoftMax(p, n);
        for (int i = 0; i < n; i++) Assert.Equal(expected[i], x[i], 1e-6);
        Assert.Equal(1.0, x.Sum(v => (double)v), 1e-5);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Gelu_tanh_matches_the_formula_including_large_inputs(int n)
    {
        float[] x = Values(n, 5, scale: 12f);
        x[0] = 100f;   // e^{2u} overflows: tanh is 1, GELU is x
        if (n > 1) x[n - 1] = -100f;   // e^{2u} underflows: GELU is −0
        var expected = x.Select(v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))).ToArray();
        fixed (float* p = x) VectorKernels.GeluTanh(p, n);
        for (int i = 0; i < n; i++)
            Assert.True(Math.Abs(expected[i] - x[i]) <= 2e-6 * Math.Max(1, Math.Abs(expected[i])), $"{i}: {x[i]} vs {expected[i]}");
    }
}
