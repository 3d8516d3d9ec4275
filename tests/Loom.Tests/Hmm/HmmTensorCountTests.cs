using Loom.Models.Hmm;
using Loom.Tests.Support;

namespace Loom.Tests.Hmm;

/// <summary>
/// Live tensor counts must not grow across EM iterations or repeated inference. The count is this thread's (TorchSharp's
/// dispose statistics: tensors created here minus tensors disposed here), not the process-wide Tensor.TotalCount, which
/// also falls whenever the finalizer thread frees a tensor some earlier test dropped. A tensor this code drops without
/// disposing stays counted here even after the finalizer frees it, so no leak can hide behind a collection.
/// </summary>
public class HmmTensorCountTests
{
    [Theory]
    [InlineData(HmmEmission.Categorical)]
    [InlineData(HmmEmission.GaussianDiag)]
    [InlineData(HmmEmission.GaussianFull)]
    public void TensorCountIsFlatAcrossEmIterations(HmmEmission emission)
    {
        using var truth = emission == HmmEmission.Categorical ? HmmTestModels.Categorical3() : HmmTestModels.Full2();
        var data = HmmTestModels.Sample(truth, 6, 30).Observations.ToList();
        data.Add(data[0][..17]);   // a shorter sequence exercises padding
        var counts = new List<long>();
        using var model =
            HiddenMarkovModel.Fit(data, new HmmOptions { States = 2, Emission = emission, MaxIter = 6, Tol = 0, Seed = 1, MinCovar = 1e-6 },
            new SyncProgress<HmmEmProgress>(_ => counts.Add(TensorCounts.Live)));
        Assert.Equal(6, counts.Count);
        Assert.All(counts, c => Assert.Equal(counts[0], c));
    }

    [Fact]
    public void InferenceLeavesNoTensorsBehind()
    {
        using var model = HmmTestModels.Separated2();
        var data = HmmTestModels.Sample(model, 3, 25).Observations;
        void Round()
        {
            model.LogLikelihoods(data);
            model.Posteriors(data[0]).Dispose();
            model.Viterbi(data[1]).Path.Dispose();
        }
        Round();
        long before = TensorCounts.Live;
        Round();
        Round();
        Assert.Equal(before, TensorCounts.Live);
    }
}
