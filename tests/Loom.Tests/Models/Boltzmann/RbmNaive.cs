using Loom.Models.Boltzmann;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models.Boltzmann;

/// <summary>Naive references: the energy written out and summed over every binary state, in plain doubles.</summary>
internal static class RbmNaive
{
    /// <summary>A random RBM in float64 with weights N(0, scale²) and biases N(0, 0.5²), from <paramref name="seed"/>.</summary>
    public static RbmParameters Random(int visible, int hidden, RbmVisible type, double scale, long seed)
    {
        using var g = new torch.Generator((ulong)seed);
        return new RbmParameters(torch.randn([visible, hidden], dtype: ScalarType.Float64, generator: g) * scale,
            torch.randn([visible], dtype: ScalarType.Float64, generator: g) * 0.5,
            torch.randn([hidden], dtype: ScalarType.Float64, generator: g) * 0.5, type);
    }

    public static double[,] Matrix(Tensor w)
    {
        var rows = (int)w.shape[0];
        var cols = (int)w.shape[1];
        var flat = w.contiguous().data<double>().ToArray();
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                m[i, j] = flat[i * cols + j];
        return m;
    }

    /// <summary>−E(v, h) written out.</summary>
    public static double NegativeEnergy(RbmParameters p, double[] v, double[] h)
    {
        var w = Matrix(p.Weight);
        var b = p.VisibleBias.data<double>().ToArray();
        var c = p.HiddenBias.data<double>().ToArray();
        double e = 0;
        for (int i = 0; i < v.Length; i++)
            e += p.Visible == RbmVisible.Bernoulli ? b[i] * v[i] : -0.5 * (v[i] - b[i]) * (v[i] - b[i]);
        for (int j = 0; j < h.Length; j++) e += c[j] * h[j];
        for (int i = 0; i < v.Length; i++)
            for (int j = 0; j < h.Length; j++)
                e += v[i] * w[i, j] * h[j];
        return e;
    }

    public static IEnumerable<double[]> States(int units)
    {
        for (long code = 0; code < 1L << units; code++)
            yield return Enumerable.Range(0, units).Select(i => (code >> i & 1) == 1 ? 1.0 : 0.0).ToArray();
    }

    public static double LogSumExp(IEnumerable<double> values)
    {
        var all = values.ToArray();
        double max = all.Max();
        return max + Math.Log(all.Sum(x => Math.Exp(x - max)));
    }

    /// <summary>F(v) = −log Σ_h exp(−E(v, h)) over all hidden states.</summary>
    public static double FreeEnergy(RbmParameters p, double[] v) =>
        -LogSumExp(States((int)p.HiddenUnits).Select(h => NegativeEnergy(p, v, h)));

    /// <summary>log Z = log Σ_v Σ_h exp(−E(v, h)) over both layers (binary visible units).</summary>
    public static double LogZ(RbmParameters p) =>
        LogSumExp(States((int)p.VisibleUnits).SelectMany(v => States((int)p.HiddenUnits).Select(h => NegativeEnergy(p, v, h))));
}
