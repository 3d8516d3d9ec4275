using Loom.Models.Hmm;
using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

public class HmmFitTests
{
    private static void AssertMonotone(HmmConvergenceMonitor monitor)
    {
        Assert.False(monitor.Decreased);
        for (int i = 1; i < monitor.History.Count; i++)
            Assert.True(monitor.History[i] >= monitor.History[i - 1] - 1e-9 * Math.Abs(monitor.History[i - 1]),
                $"log-likelihood fell at iteration {i + 1}: {monitor.History[i - 1]} -> {monitor.History[i]}");
    }

    [Theory]
    [InlineData(HmmEmission.Categorical)]
    [InlineData(HmmEmission.GaussianDiag)]
    [InlineData(HmmEmission.GaussianFull)]
    public void BaumWelchNeverDecreasesTheLogLikelihood(HmmEmission emission)
    {
        using var truth = emission == HmmEmission.Categorical ? HmmTestModels.Categorical3() : HmmTestModels.Full2();
        var data = HmmTestModels.Sample(truth, 8, 60).Observations;
        var options =
            new HmmOptions { States = 3, Emission = emission, MaxIter = 25, Tol = 0, MinCovar = 1e-6, Seed = 1, Init = HmmInit.Random };
        using var model = HiddenMarkovModel.Fit(data, options);
        Assert.Equal(25, model.Monitor!.Iterations);
        Assert.True(model.Monitor.History[^1] > model.Monitor.History[0] + 1);
        AssertMonotone(model.Monitor);
    }

    [Fact]
    public void RecoversAWellSeparatedTwoStateModel()
    {
        using var truth = HmmTestModels.Separated2();
        var samples = HmmTestModels.Sample(truth, 20, 200);
        using var model =
            HiddenMarkovModel.Fit(samples.Observations, new HmmOptions { States = 2, Emission = HmmEmission.GaussianDiag, Seed = 4 });
        Assert.True(model.Monitor!.Converged);
        // min_covar makes EM inexact near its fixed point: any dip stays within tol.
        Assert.True(model.Monitor.History[^1] >= model.Monitor.History.Max() - 1e-4);
        var state = model.GetState();
        var means = HmmBruteForce.ToArray2(state["means"]);
        int[] order = means[0, 0] < means[1, 0] ? new[] { 0, 1 } : new[] { 1, 0 };   // fitted index of true state 0, 1
        var trans = HmmBruteForce.ToArray2(state["transmat"]);
        var trueTrans = new[,] { { 0.9, 0.1 }, { 0.2, 0.8 } };
        var trueMeans = new[,] { { -3.0, 0.0 }, { 3.0, 1.0 } };
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                Assert.InRange(trans[order[i], order[j]], trueTrans[i, j] - 0.04, trueTrans[i, j] + 0.04);
                Assert.InRange(means[order[i], j], trueMeans[i, j] - 0.1, trueMeans[i, j] + 0.1);
            }
        }
        // Decoding the training data recovers the sampled states.
        long correct = 0, total = 0;
        for (int s = 0; s < samples.Observations.Count; s++)
        {
            var (path, _) = model.Viterbi(samples.Observations[s]);
            using (path)
            using (var mapped = path.eq(order[1]).to(ScalarType.Int64))
            using (var hits = mapped.eq(samples.States[s]).sum())
            {
                correct += hits.item<long>();
                total += path.shape[0];
            }
        }
        Assert.True(correct > 0.99 * total, $"Viterbi recovered {correct} of {total} states");
    }

    [Theory]
    [InlineData(HmmEmission.Categorical, HmmInit.Auto)]
    [InlineData(HmmEmission.GaussianDiag, HmmInit.KMeans)]
    [InlineData(HmmEmission.GaussianFull, HmmInit.Random)]
    public void SameSeedGivesIdenticalFits(HmmEmission emission, HmmInit init)
    {
        using var truth = emission == HmmEmission.Categorical ? HmmTestModels.Categorical3() : HmmTestModels.Full2();
        var data = HmmTestModels.Sample(truth, 5, 40).Observations;
        var options = new HmmOptions { States = 2, Emission = emission, MaxIter = 10, Seed = 9, Init = init };
        using var a = HiddenMarkovModel.Fit(data, options);
        using var b = HiddenMarkovModel.Fit(data, options);
        using var c = HiddenMarkovModel.Fit(data, options with { Seed = 10 });
        Assert.Equal(a.Monitor!.History, b.Monitor!.History);
        foreach (var (name, t) in a.GetState())
            Assert.True(HmmBruteForce.Same(t, b.GetState()[name]), $"{name} differs between equal-seed fits");
        if (init != HmmInit.KMeans)
            Assert.NotEqual(a.Monitor.History[0], c.Monitor!.History[0]);
    }

    [Fact]
    public void StopsWhenTheGainFallsBelowTolAndReportsProgress()
    {
        using var truth = HmmTestModels.Categorical3();
        var data = HmmTestModels.Sample(truth, 6, 50).Observations;
        var reports = new List<HmmEmProgress>();
        using var model = HiddenMarkovModel.Fit(data,
            new HmmOptions { States = 2, Emission = HmmEmission.Categorical, MaxIter = 500, Tol = 1e-2, Seed = 2 },
            new SyncProgress<HmmEmProgress>(reports.Add));
        var monitor = model.Monitor!;
        Assert.True(monitor.Converged);
        Assert.True(monitor.Iterations < 500);
        Assert.InRange(monitor.LastGain, -1e-6, 1e-2);
        Assert.Equal(monitor.History, reports.Select(r => r.LogLikelihood));
        Assert.True(reports[^1].Converged);
    }

    [Fact]
    public void CancellationStopsTheFit()
    {
        using var truth = HmmTestModels.Categorical3();
        var data = HmmTestModels.Sample(truth, 4, 30).Observations;
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            HiddenMarkovModel.Fit(data, new HmmOptions { States = 2, Emission = HmmEmission.Categorical }, null, cts.Token));
    }

    [Fact]
    public void MonitorFlagsADecreaseBeyondNoise()
    {
        var monitor = new HmmConvergenceMonitor(0, 100);
        Assert.False(monitor.Report(-100.0));
        Assert.False(monitor.Report(-99.0));
        Assert.False(monitor.Report(-99.0 - 1e-12));   // rounding noise, not a decrease
        Assert.False(monitor.Decreased);
        Assert.True(monitor.Report(-99.5));   // with Tol 0 any decrease beyond noise stops
        Assert.True(monitor.Decreased);
        Assert.False(monitor.Converged);
        var withTol = new HmmConvergenceMonitor(1e-4, 100);
        withTol.Report(-100.0);
        Assert.True(withTol.Report(-100.0 + 1e-6));
        Assert.True(withTol.Converged);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
