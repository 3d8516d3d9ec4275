namespace Loom.Models.Tabular.Neural;

/// <summary>
/// A one-dimensional Bayesian Gaussian mixture fitted by variational EM (Bishop §10.2, the updates of scikit-learn's
/// <c>BayesianGaussianMixture</c>): a Dirichlet-process (stick-breaking) prior on the weights with concentration
/// <see cref="Concentration"/>, a Gaussian–Wishart prior on each mode's mean and precision centred on the data's mean
/// and variance. With a small concentration the posterior leaves surplus modes with next to no weight; the modes a
/// column keeps are those above a weight threshold (<see cref="ModeNormalizer"/>). Starts from 1-D k-means on quantile
/// centres, so a fit is deterministic.
/// </summary>
public sealed class VariationalGaussianMixture
{
    /// <summary>The Dirichlet-process concentration of the weights (CTGAN's 0.001).</summary>
    public const double Concentration = 0.001;
    private const double RegCovar = 1e-6;

    public required double[] Weights { get; init; }
    public required double[] Means { get; init; }
    /// <summary>Each mode's variance (the posterior's expected covariance, scikit-learn's <c>covariances_</c>).</summary>
    public required double[] Variances { get; init; }
    /// <summary>Variational parameters the responsibilities need: β (mean precision) and ν (degrees of freedom).</summary>
    public required double[] MeanPrecisions { get; init; }
    public required double[] Freedoms { get; init; }
    public required double[] StickA { get; init; }
    public required double[] StickB { get; init; }
    public int Iterations { get; init; }

    /// <summary>Fits up to <paramref name="components"/> modes to <paramref name="x"/> (finite values).</summary>
    public static VariationalGaussianMixture Fit(IReadOnlyList<double> x, int components, int maxIterations = 100, double tolerance = 1e-3)
    {
        int n = x.Count, k = Math.Max(1, Math.Min(components, n));
        double mean = x.Average(), variance = Math.Max(x.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, n - 1), 1e-12);
        var r = KMeansResponsibilities(x, k);
        var fit = MStep(x, r, k, mean, variance);
        double previous = double.NegativeInfinity;
        int iteration = 0;
        for (; iteration < maxIterations; iteration++)
        {
            double bound = fit.EStep(x, r);
            fit = MStep(x, r, k, mean, variance);
            if (Math.Abs(bound - previous) < tolerance * 1e-4 * n) break;
            previous = bound;
        }
        return new VariationalGaussianMixture
        {
            Weights = fit.Weights, Means = fit.Means, Variances = fit.Variances, MeanPrecisions = fit.MeanPrecisions,
            Freedoms = fit.Freedoms, StickA = fit.StickA, StickB = fit.StickB, Iterations = iteration + 1,
        };
    }

    /// <summary>
    /// Writes each mode's log-responsibility of x (unnormalised: log weight expectation plus expected log density) into
    /// <paramref name="log"/>.
    /// </summary>
    public void LogJoint(double x, Span<double> log)
    {
        var constants = Constants;
        for (int j = 0; j < Means.Length; j++)
        {
            double d = x - Means[j];
            log[j] = constants[j] - 0.5 * d * d / Variances[j];
        }
    }

    private double[]? constants;

    /// <summary>Each mode's terms that do not depend on x: E[log π], the Gaussian's normaliser, E[log λ] and 1/β.</summary>
    private double[] Constants => constants ??= ComputeConstants();

    private double[] ComputeConstants()
    {
        var result = new double[Means.Length];
        double stickCarry = 0;
        for (int j = 0; j < Means.Length; j++)
        {
            double sum = Digamma(StickA[j] + StickB[j]);
            double logWeight = Digamma(StickA[j]) - sum + stickCarry;
            stickCarry += Digamma(StickB[j]) - sum;
            double logNormaliser = -0.5 * Math.Log(2 * Math.PI) - 0.5 * Math.Log(Variances[j]) - 0.5 * Math.Log(Freedoms[j]);
            double logLambda = Math.Log(2) + Digamma(0.5 * Freedoms[j]);
            result[j] = logWeight + logNormaliser + 0.5 * (logLambda - 1 / MeanPrecisions[j]);
        }
        return result;
    }

    /// <summary>Posterior probability of each mode for x, written into <paramref name="probabilities"/>.</summary>
    public void Posterior(double x, Span<double> probabilities)
    {
        LogJoint(x, probabilities);
        double max = double.NegativeInfinity;
        foreach (var v in probabilities) max = Math.Max(max, v);
        double total = 0;
        for (int j = 0; j < probabilities.Length; j++) total += probabilities[j] = Math.Exp(probabilities[j] - max);
        for (int j = 0; j < probabilities.Length; j++) probabilities[j] /= total;
    }

    /// <summary>The E-step: responsibilities into <paramref name="r"/>; returns Σ log Σ exp (a proxy of the bound).</summary>
    private double EStep(IReadOnlyList<double> x, double[,] r)
    {
        int k = Means.Length;
        Span<double> row = stackalloc double[k];
        double bound = 0;
        for (int i = 0; i < x.Count; i++)
        {
            LogJoint(x[i], row);
            double max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            double total = 0;
            for (int j = 0; j < k; j++) total += row[j] = Math.Exp(row[j] - max);
            for (int j = 0; j < k; j++) r[i, j] = row[j] / total;
            bound += max + Math.Log(total);
        }
        return bound;
    }

    private static VariationalGaussianMixture MStep(IReadOnlyList<double> x, double[,] r, int k, double meanPrior, double covariancePrior)
    {
        const double meanPrecisionPrior = 1, freedomPrior = 1;
        var nk = new double[k];
        var xk = new double[k];
        var sk = new double[k];
        for (int i = 0; i < x.Count; i++)
            for (int j = 0; j < k; j++) { nk[j] += r[i, j]; xk[j] += r[i, j] * x[i]; }
        for (int j = 0; j < k; j++) { nk[j] += 10 * 2.220446049250313e-16; xk[j] /= nk[j]; }
        for (int i = 0; i < x.Count; i++)
            for (int j = 0; j < k; j++) { double d = x[i] - xk[j]; sk[j] += r[i, j] * d * d; }
        var stickA = new double[k];
        var stickB = new double[k];
        var beta = new double[k];
        var means = new double[k];
        var freedoms = new double[k];
        var variances = new double[k];
        double tail = nk.Sum();
        for (int j = 0; j < k; j++)
        {
            sk[j] = sk[j] / nk[j] + RegCovar;
            tail -= nk[j];
            stickA[j] = 1 + nk[j];
            stickB[j] = Concentration + Math.Max(tail, 0);
            beta[j] = meanPrecisionPrior + nk[j];
            means[j] = (meanPrecisionPrior * meanPrior + nk[j] * xk[j]) / beta[j];
            freedoms[j] = freedomPrior + nk[j];
            double d = xk[j] - meanPrior;
            variances[j] = (covariancePrior + nk[j] * sk[j] + nk[j] * meanPrecisionPrior / beta[j] * d * d) / freedoms[j];
        }
        var weights = new double[k];
        double carry = 1;
        for (int j = 0; j < k; j++)
        {
            weights[j] = stickA[j] / (stickA[j] + stickB[j]) * carry;
            carry *= stickB[j] / (stickA[j] + stickB[j]);
        }
        double sum = weights.Sum();
        for (int j = 0; j < k; j++) weights[j] /= sum;
        return new VariationalGaussianMixture
        {
            Weights = weights, Means = means, Variances = variances, MeanPrecisions = beta, Freedoms = freedoms,
            StickA = stickA, StickB = stickB,
        };
    }

    /// <summary>Hard k-means responsibilities, centres started at evenly spaced quantiles.</summary>
    private static double[,] KMeansResponsibilities(IReadOnlyList<double> x, int k)
    {
        var sorted = x.Order().ToArray();
        var centres = Enumerable.Range(0, k).Select(j => sorted[(int)((j + 0.5) / k * (sorted.Length - 1))]).ToArray();
        var assignment = new int[x.Count];
        for (int iteration = 0; iteration < 20; iteration++)
        {
            for (int i = 0; i < x.Count; i++)
            {
                int best = 0;
                for (int j = 1; j < k; j++)
                    if (Math.Abs(x[i] - centres[j]) < Math.Abs(x[i] - centres[best])) best = j;
                assignment[i] = best;
            }
            var sums = new double[k];
            var counts = new int[k];
            for (int i = 0; i < x.Count; i++) { sums[assignment[i]] += x[i]; counts[assignment[i]]++; }
            for (int j = 0; j < k; j++)
                if (counts[j] > 0) centres[j] = sums[j] / counts[j];
        }
        var r = new double[x.Count, k];
        for (int i = 0; i < x.Count; i++) r[i, assignment[i]] = 1;
        return r;
    }

    /// <summary>ψ(x) for x &gt; 0: the recurrence up to 6, then the asymptotic series.</summary>
    public static double Digamma(double x)
    {
        double result = 0;
        while (x < 6) { result -= 1 / x; x += 1; }
        double f = 1 / (x * x);
        return result + Math.Log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
    }
}
