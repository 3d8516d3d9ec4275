using Loom.Models.Hmm;
using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

/// <summary>The scaled managed E-step against the log-space tensor recursions it replaces, and its fallback.</summary>
public class HmmScaledForwardBackwardTests
{
    [Fact]
    public void CategoricalStatisticsEqualTheLogSpaceRecursionsOnSequencesOfDifferentLengths()
    {
        using var scope = NewDisposeScope();
        using var p = new HmmParameters(tensor(new[] { 0.5, 0.3, 0.2 }),
            tensor(new double[,] { { 0.8, 0.15, 0.05 }, { 0.1, 0.7, 0.2 }, { 0.25, 0.25, 0.5 } }),
            new CategoricalEmissions(tensor(new double[,]
            {
                { 0.7, 0.2, 0.05, 0.05 }, { 0.1, 0.1, 0.7, 0.1 }, { 0.05, 0.45, 0.05, 0.45 },
            })));
        using var g = manual_seed(11);
        var sequences = new[] { 37L, 1, 12, 37, 5 }.Select(n => randint(4, n, dtype: ScalarType.Int64)).ToList();
        AssertSameStatistics(p, sequences);
    }

    [Fact]
    public void GaussianStatisticsEqualTheLogSpaceRecursions()
    {
        using var scope = NewDisposeScope();
        using var p = new HmmParameters(tensor(new[] { 0.6, 0.4 }), tensor(new double[,] { { 0.9, 0.1 }, { 0.2, 0.8 } }),
            new GaussianDiagEmissions(tensor(new double[,] { { -3.0, 0.0 }, { 3.0, 1.0 } }),
                tensor(new double[,] { { 0.5, 0.8 }, { 0.6, 0.4 } })));
        using var g = manual_seed(5);
        var sequences = new[] { 200L, 64, 199 }.Select(n => randn(n, 2, dtype: ScalarType.Float64) * 4).ToList();
        AssertSameStatistics(p, sequences);
    }

    [Fact]
    public void AnUnderflowingScaleFallsBackToTheLogSpaceRecursions()
    {
        // State 1 cannot be entered; the observations at 50 are 1,250 nats less likely under state 0 than under state 1,
        // so every shifted density of the reachable state is exp(-1249) = 0 in double precision.
        using var scope = NewDisposeScope();
        using var p = new HmmParameters(tensor(new[] { 1.0, 0.0 }), tensor(new double[,] { { 1.0, 0.0 }, { 0.0, 1.0 } }),
            new GaussianDiagEmissions(tensor(new double[,] { { 0.0 }, { 50.0 } }), tensor(new double[,] { { 1.0 }, { 1.0 } })));
        var x = tensor(new[] { 50.0, 50.0, 0.0 }).view(3, 1);
        using var batch = HmmBatch.Pad(new[] { x });
        var logB = p.Emissions.LogProb(batch.Observations);
        Assert.Null(new ScaledForwardBackward(p).EStep(batch, logB));
        Assert.Null(new ScaledForwardBackward(p).LogLikelihoods(batch, logB));

        double expected = new[] { 50.0, 50.0, 0.0 }.Sum(v => -0.5 * (Math.Log(2 * Math.PI) + v * v));
        Assert.Equal(expected, HmmInference.LogLikelihood(p, batch).item<double>(), 9);
        var (start, trans, stats) = (zeros(2, dtype: ScalarType.Float64), zeros(2, 2, dtype: ScalarType.Float64), p.Emissions.NewStats());
        double total = HmmInference.Accumulate(p, batch, start, trans, stats);
        Assert.Equal(expected, total, 9);
        Assert.Equal(new[] { 1.0, 0.0 }, start.data<double>().ToArray());
        Assert.Equal(new[] { 2.0, 0.0, 0.0, 0.0 }, trans.data<double>().ToArray());
    }

    private static void AssertSameStatistics(HmmParameters p, List<Tensor> sequences)
    {
        using var batch = HmmBatch.Pad(sequences);
        var logB = p.Emissions.LogProb(batch.Observations);
        var stats = new ScaledForwardBackward(p).EStep(batch, logB);
        Assert.NotNull(stats);
        var (logLik, gamma, alpha, beta, _) = HmmInference.ForwardBackward(p, batch, logB);
        var trans = HmmInference.TransitionCounts(p, batch, logLik, alpha, beta, logB);
        AssertClose(logLik.data<double>().ToArray(), stats.LogLik, 1e-9);
        AssertClose(gamma.contiguous().data<double>().ToArray(), stats.Gamma, 1e-10);
        AssertClose(gamma[0].sum(0L).data<double>().ToArray(), stats.StartCounts, 1e-10);
        AssertClose(trans.contiguous().data<double>().ToArray(), stats.TransCounts, 1e-9);
        AssertClose(logLik.data<double>().ToArray(), new ScaledForwardBackward(p).LogLikelihoods(batch, logB)!, 1e-9);
        // Each sequence's posteriors sum to its length, and its transition counts to its length - 1.
        Assert.Equal(batch.Lengths.Sum(), stats.Gamma.Sum(), 9);
        Assert.Equal(batch.Lengths.Sum(l => l - 1), stats.TransCounts.Sum(), 9);
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
