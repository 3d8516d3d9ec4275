using Loom.Data;
using Loom.Training;
using TorchSharp;
using Loom.Models.Adversarial;

namespace Loom.Tests.Adversarial;

/// <summary>Small GANs and their training phases for the tests.</summary>
internal static class TinyGans
{
    public static GanConfig MlpConfig(GanLossKind loss = GanLossKind.Wasserstein, int classes = 0,
        bool spectralNorm = false, int width = 16) => new()
        {
            Loss = loss, Network = "mlp", SpectralNorm = spectralNorm, DiscriminatorBatchNorm = false,
            LatentDim = 4, Width = width, Layers = 2,
            SampleShape = [2], Images = false,
            ClassNames = Enumerable.Range(0, classes).Select(c => $"class {c}").ToArray(), DataName = "test",
            VectorRange = (-4, 4),
        };

    public static GanConfig ConvConfig(int classes = 0, bool spectralNorm = false, bool batchNorm = true) => new()
    {
        Loss = spectralNorm ? GanLossKind.Hinge : GanLossKind.NonSaturating, Network = "dcgan", SpectralNorm = spectralNorm,
        DiscriminatorBatchNorm = batchNorm,
        LatentDim = 8, BaseChannels = 4, SampleShape = [1, 28, 28], Images = true,
        ClassNames = Enumerable.Range(0, classes).Select(c => $"class {c}").ToArray(), DataName = "test",
    };

    public static GanModel Create(GanConfig config) => new(config, config.CreateGenerator(), config.CreateDiscriminator());

    /// <summary>Trains both networks with the shared trainer on one libtorch thread (repeatable timing and results).</summary>
    public static void Train(GanModel model, TensorDataset data, GanTrainingOptions options)
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            var phases = GanTraining.CreatePhases(model, data, options, torch.CPU);
            using var trainer = new Trainer(phases.All, GanTraining.TrainerOptions(model, options));
            model.Generator.train();
            model.Discriminator.train();
            trainer.Run();
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    public static GanTrainingOptions Options(int batchSize = 64, double gradientPenalty = 0, int nCritic = 1, double lr = 1e-3) => new()
    {
        BatchSize = batchSize, GradientPenalty = gradientPenalty, CriticSteps = nCritic, GeneratorLearningRate = lr,
        DiscriminatorLearningRate = lr,
        Beta1 = 0.5, Beta2 = 0.9,
    };
}
