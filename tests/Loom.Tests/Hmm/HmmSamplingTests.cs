using Loom.Core;
using Loom.Models;
using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

public class HmmSamplingTests
{
    [Fact]
    public void EmpiricalTransitionAndEmissionFrequenciesMatchTheModel()
    {
        using var model = HmmTestModels.Categorical3();
        var samples = HmmTestModels.Sample(model, 100, 300, seed: 11);
        Assert.Equal(100, samples.Observations.Count);
        Assert.All(samples.States, s => Assert.Equal(new long[] { 300 }, s.shape));
        using var states = stack(samples.States);            // [100, 300]
        using var obs = stack(samples.Observations);
        var s = states.data<long>().ToArray();
        var o = obs.data<long>().ToArray();
        var trans = new double[3, 3];
        var emit = new double[3, 4];
        for (int n = 0; n < 100; n++)
        {
            for (int t = 0; t < 300; t++)
            {
                int i = n * 300 + t;
                emit[s[i], o[i]]++;
                if (t + 1 < 300)
                    trans[s[i], s[i + 1]]++;
            }
        }
        var trueTrans = HmmBruteForce.ToArray2(model.TransMat);
        var trueEmit = HmmBruteForce.ToArray2(model.GetState()["emissionprob"]);
        for (int i = 0; i < 3; i++)
        {
            double rowT = Enumerable.Range(0, 3).Sum(j => trans[i, j]), rowE = Enumerable.Range(0, 4).Sum(j => emit[i, j]);
            for (int j = 0; j < 3; j++)
                Assert.InRange(trans[i, j] / rowT, trueTrans[i, j] - 0.02, trueTrans[i, j] + 0.02);
            for (int j = 0; j < 4; j++)
                Assert.InRange(emit[i, j] / rowE, trueEmit[i, j] - 0.02, trueEmit[i, j] + 0.02);
        }
    }

    [Fact]
    public void GaussianSamplesHaveThePerStateMeansAndCovariances()
    {
        using var model = HmmTestModels.Full2();
        var samples = HmmTestModels.Sample(model, 40, 250, seed: 5);
        using var x = cat(samples.Observations.ToArray(), 0);    // [M, 2]
        using var z = cat(samples.States.ToArray(), 0);          // [M]
        var covars = model.GetState()["covars"];
        for (int k = 0; k < 2; k++)
        {
            using var rows = x[z.eq(k)];
            using var mean = rows.mean(new long[] { 0 });
            using var centered = rows - mean;
            using var cov = centered.t().matmul(centered) / (rows.shape[0] - 1);
            HmmBruteForceTests.AssertClose(HmmBruteForce.ToArray2(model.GetState()["means"][k].unsqueeze(0)),
                HmmBruteForce.ToArray2(mean.unsqueeze(0)), 0.06);
            HmmBruteForceTests.AssertClose(HmmBruteForce.ToArray2(covars[k]), HmmBruteForce.ToArray2(cov), 0.06);
        }
    }

    [Fact]
    public void SameSeedSameSamplesDifferentSeedDifferentSamples()
    {
        using var model = HmmTestModels.Separated2();
        var a = HmmTestModels.Sample(model, 3, 20, seed: 1);
        var b = HmmTestModels.Sample(model, 3, 20, seed: 1);
        var c = HmmTestModels.Sample(model, 3, 20, seed: 2);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(HmmBruteForce.Same(a.Observations[i], b.Observations[i]));
            Assert.True(HmmBruteForce.Same(a.States[i], b.States[i]));
            Assert.Equal(new long[] { 20, 2 }, a.Observations[i].shape);
        }
        Assert.False(HmmBruteForce.Same(a.Observations[0], c.Observations[0]));
    }

    [Fact]
    public void BadSampleRequestsAreUsageErrors()
    {
        using var model = HmmTestModels.Categorical3();
        Assert.Throws<LoomUsageException>(() => model.Sample(new SampleRequest { Count = 0 }));
        Assert.Throws<LoomUsageException>(() => model.Sample(new SampleRequest { Length = 0 }));
    }
}
