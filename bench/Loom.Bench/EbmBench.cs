using System.Diagnostics;
using System.Globalization;
using Loom.Data;
using Loom.Evaluation.Distribution;
using Loom.Evaluation.Reference;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Energy;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// The energy-based model's bars. <c>ebm</c>: the <c>loom train ebm</c> recipe (its defaults; options --steps,
/// --sgld-steps, --sample-steps, --hidden, --batch-size, --lr, --step-size, --noise, --alpha, --spectral, --data
/// 8gaussians,checkerboard) on 20,000 toy points; biased RBF MMD² of 2,000 SGLD samples from noise, and of 2,000 chains
/// of the final replay buffer, to 2,000 held-out points, against the MMD² of two held-out halves of 2,000 each, same
/// bandwidths, five seeds (as <c>diffusion-2d</c>). <c>ebm-fmnist OUT [--steps N] [--n 500] [--limit 0]</c> and the
/// options above: trains the image recipe on Fashion-MNIST into OUT, writes a grid of 64 samples to OUT/grid.png and
/// reports FID-FMNIST of N samples against the 10,000 test images in the reference network's feature space, with the
/// training and sampling times; with <c>--joint</c> the model is a JEM and the line adds its test accuracy as a
/// classifier (the 10,000 test images) beside the peer: the same network trained on the same batches by cross-entropy
/// alone (Adam with the same settings, no SGLD), which says what the generative term costs the classifier.
/// </summary>
public static class EbmBench
{
    public static int RunTwoD(string[] args)
    {
        var names = BenchSupport.StringOption(args, "--data")?.Split(',') ?? ["8gaussians", "checkerboard"];
        var recipe = Recipe(args);
        foreach (var name in names)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"loom-ebm-bench-{name}-{Environment.ProcessId}");
            var clock = Stopwatch.StartNew();
            using var outcome = ModelRegistry.Trainable("ebm").Train(RecipeJson.ToJson(recipe with { Data = name }),
                new TrainingContext { OutputFolder = folder, Overwrite = true });
            double seconds = clock.Elapsed.TotalSeconds;
            var model = (EnergyModel)outcome.Model;
            using var buffer = Checkpoint.ReadTrainerState(folder).Tensors["replay.samples"];
            var halves = new List<double>();
            var fits = new List<double>();
            var chains = new List<double>();
            clock.Restart();
            for (int seed = 1; seed <= 5; seed++)
            {
                using var scope = torch.NewDisposeScope();
                var heldA = ToyData.Generate(name, 2000, 1000 + seed, dtype: ScalarType.Float32);
                var heldB = ToyData.Generate(name, 2000, 2000 + seed, dtype: ScalarType.Float32);
                var samples = ((TensorSamples)model.Sample(new SampleRequest { Count = 2000, Seed = seed })).Values;
                var replay = buffer.index_select(0, torch.randperm(buffer.shape[0], generator: new Generator((ulong)seed))[..2000]);
                double median = MaximumMeanDiscrepancy.MedianDistance(torch.cat([heldA, heldB]).to(ScalarType.Float64));
                var bandwidths = MaximumMeanDiscrepancy.MedianScales.Select(s => s * median).ToList();
                halves.Add(MaximumMeanDiscrepancy.Rbf(heldA, heldB, bandwidths, unbiased: false).Mmd2);
                fits.Add(MaximumMeanDiscrepancy.Rbf(heldA, samples, bandwidths, unbiased: false).Mmd2);
                chains.Add(MaximumMeanDiscrepancy.Rbf(heldA, replay, bandwidths, unbiased: false).Mmd2);
            }
            double sampleSeconds = clock.Elapsed.TotalSeconds / 5;
            var perSeed = string.Join(" ", fits.Select(f => (f / halves.Average()).ToString("F2", CultureInfo.InvariantCulture)));
            Console.WriteLine($"{name,-12} MMD² SGLD-{model.Config.SampleSteps} samples↔held-out {fits.Average():E3} "
                + $"(ratio {fits.Average() / halves.Average():F2}, per seed {perSeed}); "
                + $"replay chains {chains.Average():E3} (ratio {chains.Average() / halves.Average():F2}); held-out halves "
                + $"{halves.Average():E3}; energy gap {outcome.Metrics["energy_gap"]:F2}; trained {seconds:F1} s, "
                + $"{sampleSeconds:F1} s per 2,000 samples");
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    public static int RunFashionMnist(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("usage: ebm-fmnist OUT [--steps N] [--n 500] [--limit 0] [--sample-steps N] [--sgld-steps K] "
                + "[--hidden C] [--batch-size B] [--lr LR] [--step-size E] [--noise S] [--alpha A]");
            return 2;
        }
        int n = BenchSupport.Option(args, "--n", 500);
        var recipe = Recipe(args) with { Data = "fashion-mnist", TrainLimit = BenchSupport.Option(args, "--limit", 0) };
        var clock = Stopwatch.StartNew();
        using var outcome = ModelRegistry.Trainable("ebm").Train(RecipeJson.ToJson(recipe),
            new TrainingContext { OutputFolder = args[0], Overwrite = true });
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var model = (EnergyModel)outcome.Model;
        using var reference = ReferenceClassifier.LoadBundled();
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var scope = torch.NewDisposeScope();
        var real = reference.Extract(test.Images);
        clock.Restart();
        var parts = new List<Tensor>();
        for (int start = 0; start < n; start += 100)
        {
            var request = new SampleRequest { Count = Math.Min(100, n - start), Seed = 1 + start };
            // A joint model samples its classes in turn; its marginal E(x) = −logsumexp f(x) is sampled here directly.
            parts.Add(model.NumClasses > 0 ? MarginalSamples(model, request) : ((TensorSamples)model.Sample(request)).Values);
        }
        var samples = torch.cat(parts, 0);
        double sampleSeconds = clock.Elapsed.TotalSeconds;
        SampleGrid.Write(Path.Combine(args[0], "grid.png"), samples[..64]);
        var fid = FrechetDistance.Compute(real, reference.Extract(samples)).Value;
        Console.WriteLine($"ebm fashion-mnist: {model.ParameterCount:N0} parameters, {outcome.Metrics["steps"]} steps "
            + $"in {trainSeconds:F0} s "
            + $"(threads {torch.get_num_threads()}); {n} samples by SGLD-{model.Config.SampleSteps} from noise in {sampleSeconds:F0} s; "
            + $"FID-FMNIST {fid:F1}{(model.NumClasses > 0 ? " (marginal samples)" : "")}; energy gap {outcome.Metrics["energy_gap"]:F2}"
            + (outcome.Metrics.TryGetValue("test_accuracy", out var accuracy) ? $"; JEM test accuracy {accuracy:P2}" : ""));
        if (model.NumClasses > 0)
        {
            // Class-conditional samples, the classes in turn (n / classes each, by SGLD on E(x, y)).
            clock.Restart();
            var perClass = new List<Tensor>();
            for (int c = 0; c < model.NumClasses; c++)
            {
                var request = new SampleRequest { Count = n / model.NumClasses, Class = c, Seed = 7 + c };
                perClass.Add(((TensorSamples)model.Sample(request)).Values);
            }
            var conditional = torch.cat(perClass, 0);
            SampleGrid.Write(Path.Combine(args[0], "classes.png"), torch.cat(perClass.Select(p => p[..8]).ToList(), 0), columns: 8);
            var conditionalFid = FrechetDistance.Compute(real, reference.Extract(conditional)).Value;
            Console.WriteLine($"class-conditional: {conditional.shape[0]} samples ({n / model.NumClasses} per class) in "
                + $"{clock.Elapsed.TotalSeconds:F0} s; FID-FMNIST {conditionalFid:F1}");
            clock.Restart();
            double plain = PlainClassifierAccuracy(model.Config, recipe.Resolve(), test);
            Console.WriteLine($"the same network as a plain classifier (cross-entropy only, same batches and optimizer): test accuracy "
                + $"{plain:P2} ({clock.Elapsed.TotalSeconds:F0} s)");
        }
        return 0;
    }

    /// <summary>SGLD on the marginal energy from the start and noise <see cref="EnergyModel.Sample(SampleRequest)"/> uses.</summary>
    private static Tensor MarginalSamples(EnergyModel model, SampleRequest request)
    {
        var config = model.Config;
        var g = Loom.Core.Seeding.Generator(request.Seed, "ebm-sample");
        var start = torch.rand([request.Count, .. config.SampleShape], ScalarType.Float32, generator: g) * (config.High - config.Low)
            + config.Low;
        model.Network.eval();
        return Langevin.Run(model.Energy, start, config.Sampler(), g).clamp(0, 1);
    }

    private static double PlainClassifierAccuracy(EnergyConfig config, EnergyRecipe recipe, FashionMnistData test)
    {
        using var scope = torch.NewDisposeScope();
        using var train = TrainingData.Load("fashion-mnist", new DataLoadOptions { Limit = recipe.TrainLimit!.Value });
        torch.manual_seed(recipe.Seed!.Value);
        using var classifier = new EnergyModel(config);
        var images = train.Examples.to(ScalarType.Float32);
        var batches = new Loom.Data.BatchSampler(images.shape[0], Math.Min(recipe.BatchSize!.Value, images.shape[0]), recipe.Seed!.Value);
        using var adam = optim.Adam(classifier.Network.parameters(), recipe.LearningRate!.Value, beta1: 0, beta2: 0.999);
        classifier.Network.train();
        for (long step = 1; step <= recipe.Steps!.Value; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var rows = batches.IndexTensorForStep(step);
            adam.zero_grad();
            var logits = classifier.ClassLogits(images.index_select(0, rows));
            var loss = nn.functional.cross_entropy(logits, train.Labels!.index_select(0, rows));
            loss.backward();
            nn.utils.clip_grad_norm_(classifier.Network.parameters(), recipe.GradClip!.Value);
            adam.step();
        }
        return classifier.Accuracy(test.Images.to(ScalarType.Float32), test.Labels);
    }

    /// <summary>The recipe the options ask for over the family's defaults (unset values stay null).</summary>
    private static EnergyRecipe Recipe(string[] args)
    {
        int? Int(string name) => BenchSupport.StringOption(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
        double? Double(string name) =>
            BenchSupport.StringOption(args, name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : null;
        return new EnergyRecipe
        {
            Steps = Int("--steps"), SgldSteps = Int("--sgld-steps"), SampleSteps = Int("--sample-steps"), Hidden = Int("--hidden"),
            BatchSize = Int("--batch-size"), LearningRate = Double("--lr"), StepSize = Double("--step-size"), Noise = Double("--noise"),
            Alpha = Double("--alpha"),
            SpectralNorm = args.Contains("--spectral") ? true : null, Joint = args.Contains("--joint") ? true : null,
        };
    }
}
