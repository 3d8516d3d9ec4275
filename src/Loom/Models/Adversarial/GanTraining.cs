using Loom.Core;
using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>How a GAN is trained. One step is one discriminator (critic) update. A record: copy with <c>with { }</c>.</summary>
public sealed record GanTrainingOptions
{
    public long Steps { get; init; } = 5000;
    public int BatchSize { get; init; } = 64;
    public double GeneratorLearningRate { get; init; } = 2e-4;
    public double DiscriminatorLearningRate { get; init; } = 2e-4;
    /// <summary>Adam β₁ and β₂ of both optimizers.</summary>
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Discriminator updates per generator update.</summary>
    public int CriticSteps { get; init; } = 1;
    /// <summary>λ of the gradient penalty (0 = none).</summary>
    public double GradientPenalty { get; init; }
    /// <summary>
    /// λ of the auxiliary-classifier loss (0 = none; needs <see cref="GanConfig.AuxClassifier"/>): the discriminator
    /// adds λ·CE(its class logits on the real batch, the real labels), the generator λ·CE(the logits on its samples,
    /// the classes it was asked for).
    /// </summary>
    public double ClassifierWeight { get; init; }
    /// <summary>Clip each phase's global gradient norm (0 = off).</summary>
    public double GradClip { get; init; }
    /// <summary>
    /// Decay of an exponential moving average of the generator's weights (null = none). The average, not the last
    /// iterate, is what a run saves and samples from; GAN iterates oscillate, their average is smoother and sharper.
    /// </summary>
    public double? GeneratorEma { get; init; }
    public long Seed { get; init; }
    public long LogEvery { get; init; } = 10;
    public long CheckpointEvery { get; init; }

    public void Validate()
    {
        // Steps, clipping, logging and the EMA decay are the shared trainer's options: its checks, before any data loads.
        new TrainerOptions { Steps = Steps, GradClip = GradClip, LogEvery = LogEvery, EmaDecay = GeneratorEma }.Validate();
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (!(GeneratorLearningRate > 0) || !double.IsFinite(GeneratorLearningRate))
            throw LoomUsageException.ForOption(nameof(GeneratorLearningRate), $"must be a positive number, got {GeneratorLearningRate}");
        if (!(DiscriminatorLearningRate > 0) || !double.IsFinite(DiscriminatorLearningRate))
            throw LoomUsageException.ForOption(nameof(DiscriminatorLearningRate),
                $"must be a positive number, got {DiscriminatorLearningRate}");
        if (CriticSteps < 1) throw LoomUsageException.ForOption(nameof(CriticSteps), $"must be at least 1, got {CriticSteps}");
        if (GradientPenalty < 0 || !double.IsFinite(GradientPenalty)) throw LoomUsageException.ForOption(nameof(GradientPenalty),
            $"must be a non-negative number, got {GradientPenalty}");
        if (ClassifierWeight < 0 || !double.IsFinite(ClassifierWeight)) throw LoomUsageException.ForOption(nameof(ClassifierWeight),
            $"must be a non-negative number, got {ClassifierWeight}");
        if (CheckpointEvery < 0) throw LoomUsageException.ForOption(nameof(CheckpointEvery),
            $"must be non-negative, got {CheckpointEvery}");
    }
}

/// <summary>The two objectives of a GAN and the shared trainer's phases built from them (discriminator first).</summary>
public sealed record GanPhases(DiscriminatorObjective DiscriminatorObjective, GeneratorObjective GeneratorObjective,
    TrainingPhase Discriminator, TrainingPhase Generator)
{
    public IReadOnlyList<TrainingPhase> All => [Discriminator, Generator];
}

/// <summary>Builds a GAN's training phases and trainer options for the shared <see cref="Trainer"/>.</summary>
public static class GanTraining
{
    /// <summary>
    /// Phase "discriminator" runs every step, phase "generator" every <see cref="GanTrainingOptions.CriticSteps"/>
    /// steps (after the discriminator in the same step), each with its own Adam optimizer and learning rate.
    /// </summary>
    /// <param name="model">The GAN to train.</param>
    /// <param name="data">Samples in data space and, for a conditional GAN, labels.</param>
    /// <param name="options">Batch size, learning rates, betas, n_critic, gradient penalty, seed.</param>
    /// <param name="device">Device the networks are on.</param>
    public static GanPhases CreatePhases(GanModel model, TensorDataset data, GanTrainingOptions options, Device device)
    {
        options.Validate();
        if (model.NumClasses > 0 && data.Width < 2)
            throw new LoomUsageException("a conditional GAN needs class labels with its data");
        if (options.ClassifierWeight > 0 && !model.Config.AuxClassifier)
            throw LoomUsageException.ForOption(nameof(GanTrainingOptions.ClassifierWeight),
                "this GAN's discriminator was built without an auxiliary classifier (a run "
                + "resumed with an option it did not start with?)");
        var d = new DiscriminatorObjective(model, data, options.BatchSize, options.GradientPenalty, options.Seed,
            device, options.ClassifierWeight);
        var g = new GeneratorObjective(model, options.BatchSize, device, options.ClassifierWeight);
        OptimizerOptions Adam(double lr) => new() { LearningRate = lr, Beta1 = options.Beta1, Beta2 = options.Beta2 };
        return new GanPhases(d, g,
            new TrainingPhase("discriminator", d, Parameters(model.Discriminator), Adam(options.DiscriminatorLearningRate)),
            new TrainingPhase("generator", g, Parameters(model.Generator), Adam(options.GeneratorLearningRate), options.CriticSteps));
    }

    /// <summary>
    /// Trainer options: constant learning rates; the EMA (if any) follows the generator (phase 1) per generator update;
    /// non-finite updates are skipped for convolutional networks (libtorch's CPU convolutions intermittently return NaN
    /// here, docs/diffusion.md).
    /// </summary>
    public static TrainerOptions TrainerOptions(GanModel model, GanTrainingOptions options, long evalEvery = 0) => new()
    {
        Steps = options.Steps, GradClip = options.GradClip, LogEvery = options.LogEvery, EvalEvery = evalEvery,
        CheckpointEvery = options.CheckpointEvery,
        EmaDecay = options.GeneratorEma, EmaPhase = 1, EmaWarmup = true,
    };

    /// <summary>The model-card note of a run that keeps a generator EMA, or null.</summary>
    public static string? AverageNote(double? decay) =>
        decay is { } d ? $"generator weights are the exponential moving average (decay {d})" : null;

    public static List<TorchSharp.Modules.Parameter> Parameters(nn.Module module) =>
        module.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
}
