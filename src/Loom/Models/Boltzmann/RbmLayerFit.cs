using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>How one RBM of a stack trains: the contrastive-divergence settings of <see cref="RbmLayerFit"/>.</summary>
public sealed record RbmLayerOptions(int Epochs, int BatchSize, double LearningRate, double Momentum, double WeightDecay, int K,
    bool Persistent, long Seed);

/// <summary>
/// Fits one RBM to rows on the shared trainer without a run folder (a layer of a <see cref="DeepBeliefNet"/>): the same
/// objective and optimizer as <see cref="RbmTrainingRun"/>, progress reported, no checkpoints of its own.
/// </summary>
public static class RbmLayerFit
{
    public static TrainResult Fit(RestrictedBoltzmannMachine rbm, Tensor rows, RbmLayerOptions options, ITrainingProgress? progress,
        CancellationToken cancellation)
    {
        var dataset = new TensorDataset(rows);
        var batches = new BatchSampler(dataset.Count, Math.Min(options.BatchSize, dataset.Count), options.Seed);
        using var chains = options.Persistent ? new PersistentChains(torch.bernoulli(torch.full(
            [batches.BatchSize, rows.shape[1]], 0.5))) : null;
        var objective = new ContrastiveDivergence(rbm, dataset, batches, options.K, options.WeightDecay, chains);
        var parameters = rbm.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
        var phase = new TrainingPhase(chains is null ? "cd" : "pcd", objective, parameters, new OptimizerOptions
        {
            Kind = OptimizerKind.Sgd, LearningRate = options.LearningRate, Momentum = options.Momentum,
        });
        using var trainer = new Trainer([phase], new TrainerOptions
        {
            Steps = options.Epochs * batches.BatchesPerEpoch, LogEvery = Math.Max(1, Math.Min(10, batches.BatchesPerEpoch)),
        })
        { Progress = progress };
        return trainer.Run(cancellation);
    }
}
