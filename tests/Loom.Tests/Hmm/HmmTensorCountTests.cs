using Loom.Models.Hmm;
using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

[CollectionDefinition(nameof(HmmTensorCountCollection), DisableParallelization = true)]
public sealed class HmmTensorCountCollection;

/// <summary>Live tensor counts must not grow across EM iterations or repeated inference (runs alone: the count is process-wide).</summary>
[Collection(nameof(HmmTensorCountCollection))]
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
        CollectGarbageTensors();
        using var model = HiddenMarkovModel.Fit(data, new HmmOptions { States = 2, Emission = emission, MaxIter = 6, Tol = 0, Seed = 1, MinCovar = 1e-6 },
            new SyncProgress<HmmEmProgress>(_ => counts.Add(Tensor.TotalCount)));
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
        CollectGarbageTensors();
        long before = Tensor.TotalCount;
        Round();
        Round();
        Assert.Equal(before, Tensor.TotalCount);
    }

    /// <summary>Finalizes tensors other tests dropped without disposing, so they cannot change the count mid-measurement.</summary>
    private static void CollectGarbageTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
