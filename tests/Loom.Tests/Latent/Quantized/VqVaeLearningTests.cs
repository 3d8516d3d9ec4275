using Loom.Models.Latent.Quantized;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Latent.Quantized;

/// <summary>Both stages learn on a tiny synthetic image set: the reconstruction loss falls, the prior beats a uniform code
/// distribution.</summary>
public class VqVaeLearningTests : OneTorchThread
{
    /// <summary>64 images [64, 1, 28, 28]: four random 7×7 binary patterns blown up to 28×28, 16 copies each with 3% of pixels
    /// flipped.</summary>
    private static Tensor PatternImages()
    {
        using var scope = torch.NewDisposeScope();
        var g = new Generator(42);
        var kinds = (torch.rand([4, 1, 7, 7], generator: g) < 0.5).to(ScalarType.Float32);
        var large = nn.functional.interpolate(kinds, scale_factor: [4.0, 4.0], mode: InterpolationMode.Nearest);
        var images = large.repeat(16, 1, 1, 1);
        var flips = (torch.rand(images.shape, generator: g) < 0.03).to(ScalarType.Float32);
        return (images + flips - 2 * images * flips).MoveToOuterDisposeScope();
    }

    /// <summary>Mean BCE per pixel of the whole set in evaluation mode.</summary>
    private static double Reconstruction(VqVae autoencoder, Tensor images)
    {
        autoencoder.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return autoencoder.Loss(images).Reconstruction.ToDouble();
    }

    [Fact]
    public void Stage_one_reconstructs_and_stage_two_beats_a_uniform_prior()
    {
        torch.manual_seed(0);
        using var images = PatternImages();
        var config = new VqVaeConfig
        {
            NumCodes = 16, CodeDim = 8, HiddenChannels = 16, ResidualBlocks = 1, ResidualChannels = 8,
            PriorChannels = 16, PriorLayers = 2, PriorInputKernel = 5, PriorKernel = 3,
        };
        using var model = new VqVaeModel(config);
        double start = Reconstruction(model.Autoencoder, images);

        model.Autoencoder.train();
        var stage1 = new TrainingPhase("autoencoder", new AutoencoderObjective(model.Autoencoder, images, 16, 0, CPU),
            model.Autoencoder.parameters().ToList(), new OptimizerOptions { LearningRate = 3e-3 });
        using (var trainer = new Trainer([stage1], new TrainerOptions { Steps = 200, GradClip = 1 }))
            trainer.Run();
        double end = Reconstruction(model.Autoencoder, images);
        Assert.True(end < 0.6 * start, $"reconstruction BCE {start:F4} → {end:F4}");

        model.Eval();
        using var codes = PriorCodes.Encode(model, images);
        var stage2 = new TrainingPhase("prior", new PriorObjective(model.Prior, codes, null, 16, 0, CPU),
            model.Prior.parameters().ToList(), new OptimizerOptions { LearningRate = 3e-3 });
        using (var trainer = new Trainer([stage2], new TrainerOptions { Steps = 150, GradClip = 1 }))
            trainer.Run();
        double nll;
        using (torch.no_grad())
        using (var value = model.Prior.Nll(codes))
            nll = value.ToDouble();
        double uniform = Math.Log(config.NumCodes);
        Console.WriteLine($"reconstruction BCE {start:F4} -> {end:F4}; prior NLL {nll:F3} nats per code (log K = {uniform:F3})");
        Assert.True(nll < uniform, $"prior NLL {nll:F3} nats per code is not below log K = {uniform:F3}");
    }
}
