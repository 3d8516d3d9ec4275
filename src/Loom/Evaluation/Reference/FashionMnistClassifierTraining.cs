using Loom.Core;
using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Reference;

/// <summary>How the reference classifier is trained (the defaults made the committed weights).</summary>
public sealed record ClassifierTrainingOptions
{
    public int Epochs { get; init; } = 12;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 2e-3;
    public double WeightDecay { get; init; } = 5e-4;
    public long Seed { get; init; } = 0;
    /// <summary>Random horizontal flips and ±2-pixel shifts of each batch.</summary>
    public bool Augment { get; init; } = true;
    /// <summary>Use only the first N training images (0 = all 60,000); for tests.</summary>
    public int TrainLimit { get; init; }
    /// <summary>Optimizer steps to take; 0 (the default) takes <see cref="Epochs"/> passes over the training images.</summary>
    public long Steps { get; init; }
}

/// <summary>
/// Trains <see cref="FashionMnistClassifierNet"/> on the Fashion-MNIST training split with the shared
/// <see cref="Trainer"/>: AdamW, 2% warmup then cosine decay to 1% of the rate, cross-entropy, seeded batches and
/// augmentation, so the same options give the same weights on CPU.
/// </summary>
public static class FashionMnistClassifierTraining
{
    public static (ReferenceClassifier Classifier, TrainResult Result) Train(FashionMnistData train, ClassifierTrainingOptions options,
        MetricsLog? log = null, ITrainingProgress? progress = null, CancellationToken cancellation = default)
    {
        if (options.Epochs < 1) throw LoomUsageException.ForOption(nameof(options.Epochs), $"must be at least 1, got {options.Epochs}");
        Seeding.SeedEverything(options.Seed);
        var net = new FashionMnistClassifierNet();
        var images = options.TrainLimit > 0 ? train.Images[..options.TrainLimit] : train.Images;
        var labels = options.TrainLimit > 0 ? train.Labels[..options.TrainLimit] : train.Labels;
        var sampler = new BatchSampler(images.shape[0], options.BatchSize, options.Seed, dropLast: true);
        if (options.Steps < 0) throw LoomUsageException.ForOption(nameof(options.Steps), $"must be at least 0, got {options.Steps}");
        long steps = options.Steps > 0 ? options.Steps : sampler.BatchesPerEpoch * options.Epochs;
        var objective = new DelegateObjective((step, _) =>
        {
            var index = sampler.IndexTensorForStep(step);
            var x = images.index_select(0, index);
            if (options.Augment)
                x = Augment(x, options.Seed, step);
            var logits = net.forward(x);
            var y = labels.index_select(0, index);
            var loss = nn.functional.cross_entropy(logits, y);
            var accuracy = logits.argmax(1).eq(y).to(ScalarType.Float32).mean().ToDouble();
            return new TrainingLoss(loss, x.shape[0], new Dictionary<string, double> { ["train_accuracy"] = accuracy });
        });
        var trainerOptions = new TrainerOptions
        {
            Steps = steps,
            Schedule = ScheduleKind.Cosine,
            WarmupSteps = steps / 50,
            MinLearningRate = options.LearningRate * 0.01,
            LogEvery = 50,
        };
        var optimizer = new OptimizerOptions { LearningRate = options.LearningRate, WeightDecay = options.WeightDecay };
        net.train();
        TrainResult result;
        using (var trainer = new Trainer([new TrainingPhase("classify", objective, net.parameters().ToList(), optimizer)], trainerOptions)
        { Log = log, Progress = progress })
            result = trainer.Run(cancellation);
        net.eval();
        return (new ReferenceClassifier(net), result);
    }

    /// <summary>Flips each image with probability ½ and shifts the batch by up to 2 pixels (zero fill), seeded by step.</summary>
    private static Tensor Augment(Tensor x, long seed, long step)
    {
        using var g = Seeding.Generator(seed, "augment:" + step);
        var flip = torch.rand(x.shape[0], generator: g).lt(0.5).view(-1, 1, 1, 1);
        x = torch.where(flip, x.flip(3), x);
        var shift = torch.randint(-2, 3, [2], generator: g).data<long>().ToArray();
        var padded = nn.functional.pad(x, [2, 2, 2, 2]);
        long dy = 2 + shift[0], dx = 2 + shift[1];
        return padded[.., .., (int)dy..(int)(dy + 28), (int)dx..(int)(dx + 28)];
    }
}
