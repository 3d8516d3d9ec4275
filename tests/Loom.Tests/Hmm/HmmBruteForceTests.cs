using Loom.Models.Hmm;
using static Loom.Tests.Hmm.HmmBruteForce;
using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

/// <summary>Forward-backward, posteriors, transition posteriors and Viterbi against enumeration of every state path.</summary>
public class HmmBruteForceTests
{
    private sealed record Case(HiddenMarkovModel Model, Tensor Sequence, double[] Start, double[,] Trans, double[][] LogEmit);

    private static Case CategoricalCase(int seed, int states, int symbols, int steps)
    {
        var rng = new Random(seed);
        var start = RandomDistribution(rng, states);
        var trans = RandomStochastic(rng, states, states);
        var emis = RandomStochastic(rng, states, symbols);
        var seq = Enumerable.Range(0, steps).Select(_ => (long)rng.Next(symbols)).ToArray();
        var model = HiddenMarkovModel.Categorical(T(start), T(trans), T(emis));
        return new Case(model, tensor(seq), start, trans, CategoricalLogEmit(emis, seq));
    }

    private static Case DiagCase(int seed, int states, int dims, int steps)
    {
        var rng = new Random(seed);
        var start = RandomDistribution(rng, states);
        var trans = RandomStochastic(rng, states, states);
        var means = new double[states, dims];
        var vars = new double[states, dims];
        for (int k = 0; k < states; k++)
            for (int j = 0; j < dims; j++)
            {
                means[k, j] = 2 * rng.NextDouble() - 1;
                vars[k, j] = 0.3 + rng.NextDouble();
            }
        var x = new double[steps, dims];
        for (int t = 0; t < steps; t++)
            for (int j = 0; j < dims; j++)
                x[t, j] = 2 * rng.NextDouble() - 1;
        var model = HiddenMarkovModel.Gaussian(T(start), T(trans), T(means), T(vars));
        return new Case(model, T(x), start, trans, DiagLogEmit(means, vars, x));
    }

    private static Case FullCase(int seed, int states, int steps)
    {
        var rng = new Random(seed);
        var start = RandomDistribution(rng, states);
        var trans = RandomStochastic(rng, states, states);
        var means = new double[states, 2];
        var covs = new double[states][,];
        var flat = new double[states * 4];
        for (int k = 0; k < states; k++)
        {
            means[k, 0] = 2 * rng.NextDouble() - 1;
            means[k, 1] = 2 * rng.NextDouble() - 1;
            double a = 0.5 + rng.NextDouble(), b = 0.5 + rng.NextDouble(), c = 0.4 * (rng.NextDouble() - 0.5);
            covs[k] = new[,] { { a, c }, { c, b } };
            flat[4 * k] = a; flat[4 * k + 1] = c; flat[4 * k + 2] = c; flat[4 * k + 3] = b;
        }
        var x = new double[steps, 2];
        for (int t = 0; t < steps; t++)
        {
            x[t, 0] = 2 * rng.NextDouble() - 1;
            x[t, 1] = 2 * rng.NextDouble() - 1;
        }
        var model =
            HiddenMarkovModel.Gaussian(T(start), T(trans), T(means), tensor(flat, new long[] { states, 2, 2 }, dtype: ScalarType.Float64));
        return new Case(model, T(x), start, trans, Full2LogEmit(means, covs, x));
    }

    public static IEnumerable<object[]> Cases() => new[]
    {
        new object[] { "categorical", 2, 1 }, new object[] { "categorical", 3, 5 }, new object[] { "categorical", 3, 4 },
        new object[] { "diag", 2, 5 }, new object[] { "diag", 3, 4 }, new object[] { "full", 2, 5 }, new object[] { "full", 3, 3 },
    };

    private static Case Make(string kind, int states, int steps) => kind switch
    {
        "categorical" => CategoricalCase(10 * states + steps, states, 4, steps),
        "diag" => DiagCase(10 * states + steps, states, 3, steps),
        _ => FullCase(10 * states + steps, states, steps),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogLikelihoodIsTheSumOverAllPaths(string kind, int states, int steps)
    {
        var c = Make(kind, states, steps);
        using var model = c.Model;
        double expected = LogSumExp(Paths(states, steps).Select(p => LogJoint(c.Start, c.Trans, c.LogEmit, p)));
        Assert.Equal(expected, model.LogLikelihood(c.Sequence), 10);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PosteriorsAreNormalisedPathSums(string kind, int states, int steps)
    {
        var c = Make(kind, states, steps);
        using var model = c.Model;
        var paths = Paths(states, steps).ToList();
        var joint = paths.Select(p => LogJoint(c.Start, c.Trans, c.LogEmit, p)).ToArray();
        double total = LogSumExp(joint);
        var gamma = new double[steps, states];
        var xi = new double[states, states];
        for (int i = 0; i < paths.Count; i++)
        {
            double w = Math.Exp(joint[i] - total);
            for (int t = 0; t < steps; t++)
            {
                gamma[t, paths[i][t]] += w;
                if (t + 1 < steps)
                    xi[paths[i][t], paths[i][t + 1]] += w;
            }
        }
        using var posteriors = model.Posteriors(c.Sequence);
        using var transitions = model.TransitionPosteriors(c.Sequence);
        AssertClose(gamma, ToArray2(posteriors), 1e-10);
        AssertClose(xi, ToArray2(transitions), 1e-10);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ViterbiIsTheArgmaxPath(string kind, int states, int steps)
    {
        var c = Make(kind, states, steps);
        using var model = c.Model;
        var best = Paths(states, steps).Select(p => (Path: p, Lp: LogJoint(c.Start, c.Trans, c.LogEmit, p))).MaxBy(x => x.Lp);
        var (path, logProb) = model.Viterbi(c.Sequence);
        using (path)
        {
            Assert.Equal(best.Path.Select(s => (long)s).ToArray(), path.data<long>().ToArray());
            Assert.Equal(best.Lp, logProb, 10);
        }
    }

    [Fact]
    public void VariableLengthBatchesMatchEachSequenceAlone()
    {
        var rng = new Random(7);
        var c = CategoricalCase(3, 3, 4, 5);
        using var model = c.Model;
        var sequences = new[] { 1, 5, 3, 2, 4 }
            .Select(len => tensor(Enumerable.Range(0, len).Select(_ => (long)rng.Next(4)).ToArray())).ToList();
        var batched = model.LogLikelihoods(sequences);
        for (int i = 0; i < sequences.Count; i++)
        {
            var seq = sequences[i].data<long>().ToArray();
            var logEmit = CategoricalLogEmit(ToArray2(model.GetState()["emissionprob"]), seq);
            double expected = LogSumExp(Paths(3, seq.Length).Select(p => LogJoint(c.Start, c.Trans, logEmit, p)));
            Assert.Equal(expected, batched[i], 10);
        }
    }

    [Fact]
    public void FullCovarianceWithDiagonalMatricesMatchesDiagonalModel()
    {
        var c = DiagCase(5, 3, 2, 6);
        using var diag = c.Model;
        var state = diag.GetState();
        using var fullCovars = state["covars"].diag_embed();
        using var full = HiddenMarkovModel.Gaussian(state["startprob"], state["transmat"], state["means"], fullCovars);
        Assert.Equal(HmmEmission.GaussianFull, full.Emission);
        Assert.Equal(diag.LogLikelihood(c.Sequence), full.LogLikelihood(c.Sequence), 10);
        using var pd = diag.Posteriors(c.Sequence);
        using var pf = full.Posteriors(c.Sequence);
        AssertClose(ToArray2(pd), ToArray2(pf), 1e-10);
    }

    internal static void AssertClose(double[,] expected, double[,] actual, double tol)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) <= tol, $"[{i},{j}]: expected {expected[i, j]}, got {actual[i, j]}");
    }
}
