using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>
/// The discriminator's (critic's) update: the real batch of the step (from the stateless <see cref="BatchSampler"/>,
/// so a resumed run sees the same batches), a fake batch of the same size and labels generated without gradient, the
/// loss of <see cref="GanLosses.Discriminator"/> plus λ·<see cref="GanLosses.GradientPenalty"/> when λ &gt; 0, plus
/// the auxiliary classifier's cross-entropy on the real batch times <paramref name="classifierWeight"/> when that is
/// positive (fakes do not train the classifier: early fakes would teach it wrong classes). Extra metrics: <c>d_real</c>
/// and <c>d_fake</c> (mean scores), <c>gp</c>, <c>class_ce</c> and <c>class_acc</c> (the classifier on the real batch).
/// </summary>
/// <param name="model">The GAN; its discriminator is trained, its generator only produces fakes.</param>
/// <param name="data">Samples in data space [n, …] and, for a conditional GAN, labels [n].</param>
/// <param name="batchSize">Real examples per step (capped at the data size).</param>
/// <param name="gradientPenalty">λ of the gradient penalty (0 = none).</param>
/// <param name="seed">Seed of the batch order.</param>
/// <param name="device">Device the networks are on.</param>
/// <param name="classifierWeight">λ of the auxiliary-classifier loss (0 = none).</param>
public sealed class DiscriminatorObjective(GanModel model, TensorDataset data, int batchSize,
    double gradientPenalty, long seed, Device device,
    double classifierWeight = 0) : ITrainingObjective
{
    private readonly BatchSampler batches = new(data.Count, Math.Min(batchSize, data.Count), seed);

    /// <summary>The discriminator loss of the most recent update (NaN before the first).</summary>
    public double LastLoss { get; private set; } = double.NaN;

    public TrainingLoss Compute(long step, int micro)
    {
        var batch = data.Batch(batches, step);
        var real = GanModel.ModelSpace(model.Config, batch[0].to(ScalarType.Float32)).to(device);
        long n = real.shape[0];
        var labels = model.NumClasses > 0 ? batch[1].to(ScalarType.Int64).to(device) : null;
        Tensor fake;
        using (torch.no_grad())
            fake = model.Generator.Generate(torch.randn([n, model.LatentDim], device: device), labels);
        var (realScores, realLogits) = classifierWeight > 0
            ? model.Discriminator.ScoreAndClassify(real, labels)
            : (model.Discriminator.Score(real, labels), null);
        var fakeScores = model.Discriminator.Score(fake, labels);
        var loss = GanLosses.Discriminator(model.Config.Loss, realScores, fakeScores);
        var metrics = new Dictionary<string, double>
        {
            ["d_real"] = realScores.mean().ToDouble(),
            ["d_fake"] = fakeScores.mean().ToDouble(),
        };
        if (classifierWeight > 0)
        {
            var crossEntropy = nn.functional.cross_entropy(realLogits!, labels!);
            metrics["class_ce"] = crossEntropy.ToDouble();
            metrics["class_acc"] = realLogits!.argmax(1).eq(labels!).to(ScalarType.Float32).mean().ToDouble();
            loss = loss + classifierWeight * crossEntropy;
        }
        if (gradientPenalty > 0)
        {
            var penalty = GanLosses.GradientPenalty(model.Discriminator, real, fake, labels);
            metrics["gp"] = penalty.ToDouble();
            loss = loss + gradientPenalty * penalty;
        }
        LastLoss = loss.ToDouble();
        return new TrainingLoss(loss, n, metrics);
    }
}

/// <summary>
/// The generator's update: fresh latents (and uniformly drawn classes for a conditional GAN), scored by the
/// discriminator with its parameters frozen (<see cref="GanDiscriminator.ScoreFrozen"/>), loss <see cref="GanLosses.Generator"/>
/// plus, when <paramref name="classifierWeight"/> is positive, that weight times the cross-entropy of the discriminator's
/// auxiliary classifier on the samples against the classes they were drawn for (metric <c>class_ce</c>): the backward
/// pass computes gradients for the generator only.
/// </summary>
public sealed class GeneratorObjective(GanModel model, int batchSize, Device device, double classifierWeight = 0) : ITrainingObjective
{
    /// <summary>The generator loss of the most recent update (NaN before the first).</summary>
    public double LastLoss { get; private set; } = double.NaN;

    public TrainingLoss Compute(long step, int micro)
    {
        var labels = model.NumClasses > 0 ? torch.randint(0, model.NumClasses, [batchSize], dtype: ScalarType.Int64).to(device) : null;
        var z = torch.randn([batchSize, model.LatentDim], device: device);
        var samples = model.Generator.Generate(z, labels);
        if (classifierWeight == 0)
        {
            var loss = GanLosses.Generator(model.Config.Loss, model.Discriminator.ScoreFrozen(samples, labels));
            LastLoss = loss.ToDouble();
            return new TrainingLoss(loss, batchSize);
        }
        var (scores, logits) = model.Discriminator.Frozen(() => model.Discriminator.ScoreAndClassify(samples, labels));
        var crossEntropy = nn.functional.cross_entropy(logits!, labels!);
        var total = GanLosses.Generator(model.Config.Loss, scores) + classifierWeight * crossEntropy;
        LastLoss = total.ToDouble();
        return new TrainingLoss(total, batchSize, new Dictionary<string, double> { ["class_ce"] = crossEntropy.ToDouble() });
    }
}
