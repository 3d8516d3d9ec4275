using Loom.Data;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>
/// The discriminator's (critic's) update: the real batch of the step (from the stateless <see cref="BatchSampler"/>,
/// so a resumed run sees the same batches), a fake batch of the same size and labels generated without gradient, the
/// loss of <see cref="GanLosses.Discriminator"/> plus λ·<see cref="GanLosses.GradientPenalty"/> when λ &gt; 0. Extra
/// metrics: <c>d_real</c> and <c>d_fake</c> (mean scores) and <c>gp</c>.
/// </summary>
/// <param name="model">The GAN; its discriminator is trained, its generator only produces fakes.</param>
/// <param name="data">Samples in data space [n, …] and, for a conditional GAN, labels [n].</param>
/// <param name="batchSize">Real examples per step (capped at the data size).</param>
/// <param name="gradientPenalty">λ of the gradient penalty (0 = none).</param>
/// <param name="seed">Seed of the batch order.</param>
/// <param name="device">Device the networks are on.</param>
public sealed class DiscriminatorObjective(GanModel model, TensorDataset data, int batchSize, double gradientPenalty, long seed, Device device) : ITrainingObjective
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
        var realScores = model.Discriminator.Score(real, labels);
        var fakeScores = model.Discriminator.Score(fake, labels);
        var loss = GanLosses.Discriminator(model.Config.Loss, realScores, fakeScores);
        var metrics = new Dictionary<string, double>
        {
            ["d_real"] = realScores.mean().ToDouble(),
            ["d_fake"] = fakeScores.mean().ToDouble(),
        };
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
/// discriminator with its parameters frozen (<see cref="GanDiscriminator.ScoreFrozen"/>), loss <see cref="GanLosses.Generator"/>:
/// the backward pass computes gradients for the generator only.
/// </summary>
public sealed class GeneratorObjective(GanModel model, int batchSize, Device device) : ITrainingObjective
{
    /// <summary>The generator loss of the most recent update (NaN before the first).</summary>
    public double LastLoss { get; private set; } = double.NaN;

    public TrainingLoss Compute(long step, int micro)
    {
        var labels = model.NumClasses > 0 ? torch.randint(0, model.NumClasses, [batchSize], dtype: ScalarType.Int64).to(device) : null;
        var z = torch.randn([batchSize, model.LatentDim], device: device);
        var scores = model.Discriminator.ScoreFrozen(model.Generator.Generate(z, labels), labels);
        var loss = GanLosses.Generator(model.Config.Loss, scores);
        LastLoss = loss.ToDouble();
        return new TrainingLoss(loss, batchSize);
    }
}
