using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

/// <summary>Naive HMM references for tiny models: every state path enumerated, densities in plain C#.</summary>
internal static class HmmBruteForce
{
    public static IEnumerable<int[]> Paths(int states, int steps)
    {
        var path = new int[steps];
        long total = (long)Math.Pow(states, steps);
        for (long code = 0; code < total; code++)
        {
            long c = code;
            for (int t = 0; t < steps; t++)
            {
                path[t] = (int)(c % states);
                c /= states;
            }
            yield return (int[])path.Clone();
        }
    }

    public static double LogJoint(double[] start, double[,] trans, double[][] logEmit, int[] path)
    {
        double lp = Math.Log(start[path[0]]) + logEmit[0][path[0]];
        for (int t = 1; t < path.Length; t++)
            lp += Math.Log(trans[path[t - 1], path[t]]) + logEmit[t][path[t]];
        return lp;
    }

    public static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double m = v.Max();
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    public static double[][] CategoricalLogEmit(double[,] emission, long[] symbols) =>
        symbols.Select(s => Enumerable.Range(0, emission.GetLength(0)).Select(k => Math.Log(emission[k, s])).ToArray()).ToArray();

    public static double[][] DiagLogEmit(double[,] means, double[,] vars, double[,] x)
    {
        int steps = x.GetLength(0), k = means.GetLength(0), d = means.GetLength(1);
        var result = new double[steps][];
        for (int t = 0; t < steps; t++)
        {
            result[t] = new double[k];
            for (int s = 0; s < k; s++)
            {
                double lp = 0;
                for (int j = 0; j < d; j++)
                {
                    double diff = x[t, j] - means[s, j];
                    lp += -0.5 * (Math.Log(2 * Math.PI * vars[s, j]) + diff * diff / vars[s, j]);
                }
                result[t][s] = lp;
            }
        }
        return result;
    }

    /// <summary>2-D Gaussian log-density with the closed-form 2x2 inverse and determinant.</summary>
    public static double[][] Full2LogEmit(double[,] means, double[][,] covs, double[,] x)
    {
        int steps = x.GetLength(0), k = means.GetLength(0);
        var result = new double[steps][];
        for (int t = 0; t < steps; t++)
        {
            result[t] = new double[k];
            for (int s = 0; s < k; s++)
            {
                var c = covs[s];
                double det = c[0, 0] * c[1, 1] - c[0, 1] * c[1, 0];
                double a = x[t, 0] - means[s, 0], b = x[t, 1] - means[s, 1];
                double maha = (c[1, 1] * a * a - (c[0, 1] + c[1, 0]) * a * b + c[0, 0] * b * b) / det;
                result[t][s] = -0.5 * (2 * Math.Log(2 * Math.PI) + Math.Log(det) + maha);
            }
        }
        return result;
    }

    public static double[] RandomDistribution(Random rng, int n)
    {
        var v = Enumerable.Range(0, n).Select(_ => 0.2 + rng.NextDouble()).ToArray();
        double s = v.Sum();
        return v.Select(x => x / s).ToArray();
    }

    public static double[,] RandomStochastic(Random rng, int rows, int cols)
    {
        var m = new double[rows, cols];
        for (int i = 0; i < rows; i++)
        {
            var row = RandomDistribution(rng, cols);
            for (int j = 0; j < cols; j++)
                m[i, j] = row[j];
        }
        return m;
    }

    /// <summary>Same shape, dtype and values (bit-for-bit).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype)
            return false;
        using var eq = a.eq(b).all();
        return eq.item<bool>();
    }

    public static Tensor T(double[] v) => tensor(v, dtype: ScalarType.Float64);

    public static Tensor T(double[,] m) => tensor(m, dtype: ScalarType.Float64);

    public static double[,] ToArray2(Tensor t)
    {
        using var c = t.to(ScalarType.Float64).cpu().contiguous();
        var flat = c.data<double>().ToArray();
        int r = (int)c.shape[0], k = (int)c.shape[1];
        var m = new double[r, k];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < k; j++)
                m[i, j] = flat[i * k + j];
        return m;
    }
}
