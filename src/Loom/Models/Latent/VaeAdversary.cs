using Loom.Core;
using Loom.Data;
using Loom.Models.Adversarial;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>
/// The adversarial term of VAE-GAN training (Larsen et al. 2016; class-conditional as in Bao et al. 2017's CVAE-GAN):
/// a discriminator learns to tell real images from the decoder's reconstructions, and the VAE's loss adds
/// λ·(−D(x̂, y)), pushing decoder means toward sharp, real-looking images that pixel likelihoods alone blur. The
/// discriminator is the cGAN's: spectral normalization, hinge loss, a projection head on the class for a CVAE. It is
/// needed only in training: the checkpoint's trainer state keeps it (prefix <see cref="StatePrefix"/>) for --resume; the
/// model file does not.
/// </summary>
public static class VaeAdversary
{
    public const string StatePrefix = "adversary.";

    /// <summary>A discriminator for a VAE of 28×28 grayscale images (conditional on its classes for a CVAE).</summary>
    public static GanDiscriminator Create(VaeConfig config)
    {
        Check(config);
        return new ConvDiscriminator(new ConvGanConfig(NumClasses: config.NumClasses, DiscriminatorBatchNorm: false, SpectralNorm: true));
    }

    /// <summary>Throws a usage error unless the VAE models 28×28 grayscale images, the discriminator's input.</summary>
    public static void Check(VaeConfig config)
    {
        if (!(config.Images && config.SampleShape is [1, 28, 28]))
            throw LoomUsageException.ForOption("Adversarial", "needs 28×28 grayscale images (e.g. fashion-mnist)");
    }

    /// <summary>Decoder means (or images in [0, 1]) → the discriminator's input range [−1, 1].</summary>
    public static Tensor ToDiscriminatorSpace(Tensor images) => images * 2 - 1;

    /// <summary>The VAE's adversarial loss for its reconstructions <paramref name="means"/> (the discriminator frozen): −mean D(x̂,
    /// y).</summary>
    public static Tensor GeneratorLoss(GanDiscriminator discriminator, Tensor means, Tensor? labels) =>
        GanLosses.Generator(GanLossKind.Hinge, discriminator.ScoreFrozen(ToDiscriminatorSpace(means), labels));
}

/// <summary>
/// The discriminator's update in VAE-GAN training: the step's real batch (gray images, the same batch the VAE sees) against
/// reconstructions made without gradient, hinge loss. Metrics <c>d_real</c>, <c>d_fake</c>.
/// </summary>
public sealed class VaeDiscriminatorObjective(VariationalAutoencoder network, GanDiscriminator discriminator, TensorDataset data,
    VaeTrainingOptions options, Device device)
    : ITrainingObjective
{
    private readonly BatchSampler batches = new(data.Count, Math.Min(options.BatchSize, data.Count), options.Seed);

    public TrainingLoss Compute(long step, int micro)
    {
        var batch = data.Batch(batches, step);
        var real = batch[0].to(ScalarType.Float32).to(device);
        var labels = network.Config.NumClasses > 0 ? batch[1].to(ScalarType.Int64).to(device) : null;
        Tensor fake;
        using (torch.no_grad())
        {
            var (mean, logVar) = network.Encode(VaeObjective.TrainingInput(network, real, options), labels);
            fake = network.DecodeMean(VariationalAutoencoder.Reparameterize(mean, logVar), labels);
        }
        var realScores = discriminator.Score(VaeAdversary.ToDiscriminatorSpace(real), labels);
        var fakeScores = discriminator.Score(VaeAdversary.ToDiscriminatorSpace(fake), labels);
        var loss = GanLosses.Discriminator(GanLossKind.Hinge, realScores, fakeScores);
        return new TrainingLoss(loss, real.shape[0], new Dictionary<string, double>
        {
            ["d_real"] = realScores.mean().ToDouble(), ["d_fake"] = fakeScores.mean().ToDouble(),
        });
    }
}
