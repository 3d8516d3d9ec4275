using Loom.Data;
using Loom.Models.Latent;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Loom.Tests.Latent;

/// <summary>VAE-GAN terms: which network each loss trains, the weighting, and where the discriminator can be used.</summary>
public class VaeAdversaryTests
{
    private static VaeConfig Config => new() { LatentDim = 4, Hidden = 32, Layers = 1, ClassNames = ["x", "y"] };

    private static TensorDataset Data()
    {
        using var generator = new torch.Generator(3);
        return new TensorDataset(torch.rand([32, 1, 28, 28], generator: generator), torch.arange(32, dtype: ScalarType.Int64) % 2);
    }

    private static bool HasGradient(nn.Module module) => module.parameters().Any(p => p.grad is { } g && g.abs().sum().ToDouble() > 0);

    [Fact]
    public void The_vae_loss_adds_lambda_times_the_adversarial_term_and_trains_only_the_vae()
    {
        using var scope = torch.NewDisposeScope();
        using var network = new VariationalAutoencoder(Config);
        using var discriminator = VaeAdversary.Create(Config);
        var data = Data();
        var options = new VaeTrainingOptions { BatchSize = 8, Seed = 1, Adversarial = 5 };
        torch.random.manual_seed(4);
        var plain = new VaeObjective(network, data, options with { Adversarial = 0 }, torch.CPU, discriminator).Compute(0, 0);
        torch.random.manual_seed(4);
        var adversarial = new VaeObjective(network, data, options, torch.CPU, discriminator).Compute(0, 0);
        Assert.False(plain.Metrics!.ContainsKey("adversarial"));
        double term = adversarial.Metrics!["adversarial"];
        // Same seed, same binarization and z: the losses differ by exactly λ times the logged term.
        Assert.Equal(plain.Loss.ToDouble() + 5 * term, adversarial.Loss.ToDouble(), 3);
        adversarial.Loss.backward();
        Assert.True(HasGradient(network));
        Assert.False(HasGradient(discriminator));
        Assert.All(discriminator.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void The_discriminator_loss_trains_only_the_discriminator()
    {
        using var scope = torch.NewDisposeScope();
        using var network = new VariationalAutoencoder(Config);
        using var discriminator = VaeAdversary.Create(Config);
        var loss = new VaeDiscriminatorObjective(network, discriminator, Data(),
            new VaeTrainingOptions { BatchSize = 8, Seed = 1 }, torch.CPU).Compute(0, 0);
        Assert.True(double.IsFinite(loss.Loss.ToDouble()));
        Assert.True(loss.Metrics!.ContainsKey("d_real") && loss.Metrics.ContainsKey("d_fake"));
        loss.Loss.backward();
        Assert.True(HasGradient(discriminator));
        Assert.False(HasGradient(network));
    }

    [Fact]
    public void Only_28_by_28_images_and_sane_weights_are_accepted()
    {
        Assert.Throws<Loom.Core.LoomUsageException>(() =>
            VaeAdversary.Create(Config with { SampleShape = [2], Images = false, Likelihood = VaeLikelihood.Gaussian }));
        Assert.Throws<Loom.Core.LoomUsageException>(() => new VaeTrainingOptions { Adversarial = -1 }.Validate());
        Assert.Throws<Loom.Core.LoomUsageException>(() => new VaeTrainingOptions { Adversarial = 1, AdversaryLearningRate = 0 }.Validate());
        Assert.Equal(new[] { -1f, 0f, 1f },
            VaeAdversary.ToDiscriminatorSpace(torch.tensor(new[] { 0f, 0.5f, 1f })).data<float>().ToArray());
    }
}
