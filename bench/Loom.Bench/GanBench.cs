using System.Diagnostics;
using System.Globalization;
using Loom.Data;
using Loom.Models;
using Loom.Models.Adversarial;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>gan-8gaussians [--steps 5000] [--seed 0] [--gp 0.1] [--lr 1e-4] [--beta1 0] [--batch-size 256] [--width 128]</c>:
/// trains what <c>loom train wgan-gp --data 8gaussians</c> trains by default (MLP generator and critic, 3 layers of
/// width 128, z of 8, 5 critic steps per generator step, Adam betas (0, 0.9), λ = 0.1) on 20,000 points, one libtorch
/// thread as the CLI uses for MLPs, and reports for 2,000 samples: modes covered (a mode is covered when at least 1%
/// of the samples have it as their nearest mode and lie within 3σ of it), the fraction of samples within 3σ of a mode
/// (σ = ToyData's noise, 0.5/√2) and the training time, as a markdown row. Steps are critic updates.
/// </summary>
public static class GanBench
{
    public static int Run(string[] args)
    {
        int steps = BenchSupport.Option(args, "--steps", 5000);
        int batch = BenchSupport.Option(args, "--batch-size", 256);
        int width = BenchSupport.Option(args, "--width", 128);
        int seed = BenchSupport.Option(args, "--seed", 0);
        double gp = Number(args, "--gp", 0.1), lr = Number(args, "--lr", 1e-4), beta1 = Number(args, "--beta1", 0);
        torch.manual_seed(seed);
        torch.set_num_threads(1);
        var points = ToyData.Generate("8gaussians", 20000, seed, dtype: ScalarType.Float32);
        var config = new GanConfig
        {
            Loss = GanLossKind.Wasserstein, Network = "mlp", DiscriminatorBatchNorm = false, LatentDim = 8, Width = width, Layers = 3,
            SampleShape = [2], Images = false, DataName = "8gaussians", VectorRange = (points.min().ToDouble(), points.max().ToDouble()),
        };
        using var model = new GanModel(config, config.CreateGenerator(), config.CreateDiscriminator());
        var options = new GanTrainingOptions
        {
            Steps = steps, BatchSize = batch, GeneratorLearningRate = lr, DiscriminatorLearningRate = lr, Beta1 = beta1, Beta2 = 0.9,
            CriticSteps = 5, GradientPenalty = gp, Seed = seed, LogEvery = Math.Max(1, steps / 10),
        };
        var phases = GanTraining.CreatePhases(model, new TensorDataset(points), options, CPU);
        using var trainer = new Trainer(phases.All, GanTraining.TrainerOptions(model, options));
        model.Generator.train();
        model.Discriminator.train();
        var clock = Stopwatch.StartNew();
        trainer.Run();
        double seconds = clock.Elapsed.TotalSeconds;
        using var scope = torch.NewDisposeScope();
        var samples = ((TensorSamples)model.Sample(new SampleRequest { Count = 2000, Seed = seed + 1 })).Values;
        var coverage = ModeCoverage.Measure(samples, ModeCoverage.EightGaussiansCentres(), 3 * ModeCoverage.EightGaussiansSigma);
        Console.WriteLine("| benchmark | critic steps | modes covered | within 3σ | train seconds | samples per mode |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine(
            $"| WGAN-GP MLP, 8 gaussians, seed {seed}, λ {gp:G3}, lr {lr:G3}, β₁ {beta1:G3}, batch {batch}, width {width} | {steps} | "
            + $"{coverage.Covered}/{coverage.Modes} | {coverage.WithinRadius:P1} | {seconds:F1} | {string.Join(" ", coverage.Counts)} |");
        return 0;
    }

    private static double Number(string[] args, string name, double fallback) =>
        BenchSupport.StringOption(args, name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
