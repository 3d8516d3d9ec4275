using static TorchSharp.torch;

namespace Loom.Training;

/// <summary>What an objective computes for one micro-batch: a scalar loss to minimise, how many examples (or tokens) it covered, and extra
/// metrics. An objective that can train with DP-SGD also gives each example's loss ([B], whose mean is the loss).</summary>
public sealed record TrainingLoss(Tensor Loss, long Examples, IReadOnlyDictionary<string, double>? Metrics = null,
    Tensor? PerExampleLoss = null);

/// <summary>
/// A training objective: the loss for micro-batch <c>micro</c> of step <c>step</c>. Objectives pick their batch from
/// (step, micro) with a stateless sampler, so a resumed run sees exactly the batches an uninterrupted one would.
/// </summary>
public interface ITrainingObjective
{
    TrainingLoss Compute(long step, int micro);
}

/// <summary>An objective that wraps a delegate.</summary>
public sealed class DelegateObjective(Func<long, int, TrainingLoss> compute) : ITrainingObjective
{
    public TrainingLoss Compute(long step, int micro) => compute(step, micro);
}

/// <summary>
/// One alternating part of training: an objective, the parameters it updates with its own optimizer, and how often it
/// runs (every N steps). A plain model has one phase; a GAN has a discriminator and a generator phase. DP-SGD needs the
/// <paramref name="Model"/> that owns the parameters, to hook its layers for per-example gradients.
/// </summary>
public sealed record TrainingPhase(string Name, ITrainingObjective Objective, IReadOnlyList<TorchSharp.Modules.Parameter> Parameters,
    OptimizerOptions Optimizer, int Every = 1, TorchSharp.torch.nn.Module? Model = null);
