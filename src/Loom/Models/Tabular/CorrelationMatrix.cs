using static TorchSharp.torch;

namespace Loom.Models.Tabular;

/// <summary>The copula's correlation matrix in normal space: estimated from data with missing values, kept positive definite.</summary>
public static class CorrelationMatrix
{
    /// <summary>
    /// Pearson correlations of the columns of <paramref name="z"/> ([n][d], NaN = missing) over the rows where both are
    /// present (0 where fewer than 3 such rows or a column is constant there), made positive definite by clipping
    /// eigenvalues at 1e-6 and rescaling to a unit diagonal.
    /// </summary>
    public static double[,] Estimate(double[][] z, int d)
    {
        var r = new double[d, d];
        for (int a = 0; a < d; a++)
        {
            r[a, a] = 1;
            for (int b = 0; b < a; b++)
                r[a, b] = r[b, a] = PairwisePearson(z, a, b);
        }
        return NearestCorrelation(r);
    }

    private static double PairwisePearson(double[][] z, int a, int b)
    {
        double n = 0, sa = 0, sb = 0;
        foreach (var row in z)
            if (!double.IsNaN(row[a]) && !double.IsNaN(row[b])) { n++; sa += row[a]; sb += row[b]; }
        if (n < 3) return 0;
        double ma = sa / n, mb = sb / n, cab = 0, caa = 0, cbb = 0;
        foreach (var row in z)
        {
            if (double.IsNaN(row[a]) || double.IsNaN(row[b])) continue;
            double da = row[a] - ma, db = row[b] - mb;
            cab += da * db; caa += da * da; cbb += db * db;
        }
        return caa > 0 && cbb > 0 ? Math.Clamp(cab / Math.Sqrt(caa * cbb), -1, 1) : 0;
    }

    private static double[,] NearestCorrelation(double[,] r)
    {
        int d = r.GetLength(0);
        if (d == 0) return r;
        using var scope = NewDisposeScope();
        var m = tensor(Flatten(r), [d, d], ScalarType.Float64);
        var (values, vectors) = linalg.eigh(m);
        var fixedM = vectors.matmul(diag(values.clamp_min(1e-6))).matmul(vectors.T);
        var scale = fixedM.diagonal().sqrt();
        fixedM = fixedM / scale.unsqueeze(0) / scale.unsqueeze(1);
        var data = fixedM.contiguous().data<double>().ToArray();
        var result = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                result[i, j] = i == j ? 1 : (data[i * d + j] + data[j * d + i]) / 2;
        return result;
    }

    public static double[] Flatten(double[,] m)
    {
        var flat = new double[m.Length];
        Buffer.BlockCopy(m, 0, flat, 0, m.Length * sizeof(double));
        return flat;
    }

    /// <summary>The lower Cholesky factor of a symmetric positive definite matrix (a tiny ridge added when needed).</summary>
    public static double[,] Cholesky(double[,] a)
    {
        int n = a.GetLength(0);
        for (double ridge = 0; ; ridge = ridge == 0 ? 1e-10 : ridge * 10)
        {
            var l = new double[n, n];
            bool ok = true;
            for (int i = 0; i < n && ok; i++)
                for (int j = 0; j <= i; j++)
                {
                    double sum = a[i, j] + (i == j ? ridge : 0);
                    for (int k = 0; k < j; k++) sum -= l[i, k] * l[j, k];
                    if (i == j)
                    {
                        if (sum <= 0) { ok = false; break; }
                        l[i, i] = Math.Sqrt(sum);
                    }
                    else l[i, j] = sum / l[j, j];
                }
            if (ok) return l;
            if (ridge > 1) throw new InvalidOperationException("the correlation matrix is not positive definite");
        }
    }

    /// <summary>Solves A x = b with A's lower Cholesky factor <paramref name="l"/>.</summary>
    public static double[] CholeskySolve(double[,] l, double[] b)
    {
        int n = b.Length;
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++) sum -= l[i, k] * y[k];
            y[i] = sum / l[i, i];
        }
        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < n; k++) sum -= l[k, i] * x[k];
            x[i] = sum / l[i, i];
        }
        return x;
    }
}
