using System.Diagnostics;
using Loom.Data;
using Loom.Evaluation.Distribution;
using Loom.Evaluation.Reference;
using Loom.IO.Checkpoints;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Diffusion.Samplers;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// The diffusion issue's bars. <c>diffusion-2d</c>: MLP denoisers trained on moons and 8 gaussians (the CLI's defaults:
/// 3000 steps, batch 256, lr 1e-3, EMA 0.999); biased RBF MMD² of 2,000 samples to 2,000 held-out points against the
/// MMD² of two held-out halves of 2,000 each, same bandwidths, five seeds (options --steps, --data moons,8gaussians,
/// --width, --blocks, --lr). <c>diffusion-fmnist CKPT [--n 500]</c>:
/// FID-FMNIST of DDPM-1000, DDIM-50 and DPM-Solver++-20 samples (classes cycled, guidance 1) from one checkpoint
/// against the 10k test images; class accuracy of DDIM-50 samples at guidance 3; DDIM-50 images/s at batch 64.
/// </summary>
public static class DiffusionBarsBench
{
    public static int RunTwoD(string[] args)
    {
        int steps = BenchSupport.Option(args, "--steps", 3000);
        int width = BenchSupport.Option(args, "--width", 128);
        int blocks = BenchSupport.Option(args, "--blocks", 3);
        double lr = double.Parse(BenchSupport.StringOption(args, "--lr") ?? "1e-3", System.Globalization.CultureInfo.InvariantCulture);
        var names = BenchSupport.StringOption(args, "--data")?.Split(',') ?? ["moons", "8gaussians"];
        foreach (var name in names)
        {
            torch.manual_seed(0);
            var train = ToyData.Generate(name, 20000, 0, dtype: ScalarType.Float32);
            var config = new DiffusionConfig
            {
                Network = "mlp", SampleShape = [2], Images = false, DataName = name,
                Mlp = new MlpDenoiserConfig(Width: width, Layers: blocks),
                VectorRange = (train.min().ToDouble() - 0.1 * (train.max().ToDouble() - train.min().ToDouble()),
                    train.max().ToDouble() + 0.1 * (train.max().ToDouble() - train.min().ToDouble()))
            };
            using var model = new DiffusionModel(config, config.CreateNetwork());
            var clock = Stopwatch.StartNew();
            var objective = new DiffusionObjective(model.Network, model.Schedule, config.Prediction, new TensorDataset(train),
                new DiffusionTrainingOptions { BatchSize = 256 }, CPU);
            var parameters = model.Network.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
            using var trainer =
                new Trainer([new TrainingPhase("denoise", objective, parameters, new OptimizerOptions { LearningRate = lr })],
                new TrainerOptions { Steps = steps, WarmupSteps = 200, GradClip = 1, EmaDecay = 0.999, EmaWarmup = true });
            trainer.Run();
            trainer.Ema!.SwapIn();
            double seconds = clock.Elapsed.TotalSeconds;
            foreach (var (sampler, samplerSteps) in new[] { ("ddpm", 1000), ("ddim", 50), ("dpm++2m", 20), ("langevin", 30) })
            {
                var modelRatios = new List<double>();
                var halves = new List<double>();
                var fits = new List<double>();
                for (int seed = 1; seed <= 5; seed++)
                {
                    using var scope = torch.NewDisposeScope();
                    var heldA = ToyData.Generate(name, 2000, 1000 + seed, dtype: ScalarType.Float32);
                    var heldB = ToyData.Generate(name, 2000, 2000 + seed, dtype: ScalarType.Float32);
                    var samples = model.Generate(new DiffusionRequest
                    {
                        Count = 2000, Seed = seed, Sampler = new SamplerOptions { Sampler = sampler, Steps = samplerSteps }
                    });
                    double median = MaximumMeanDiscrepancy.MedianDistance(torch.cat([heldA, heldB]).to(ScalarType.Float64));
                    var bandwidths = MaximumMeanDiscrepancy.MedianScales.Select(s => s * median).ToList();
                    double half = MaximumMeanDiscrepancy.Rbf(heldA, heldB, bandwidths, unbiased: false).Mmd2;
                    double fit = MaximumMeanDiscrepancy.Rbf(heldA, samples, bandwidths, unbiased: false).Mmd2;
                    halves.Add(half);
                    fits.Add(fit);
                    modelRatios.Add(fit / half);
                }
                Console.WriteLine($"{name,-10} {sampler,-8} {samplerSteps,4} steps: MMD² samples↔held-out "
                    + $"{fits.Average():E3}, held-out halves {halves.Average():E3}, ratio {fits.Average() / halves.Average():F2} (per seed "
                    + $"{string.Join(" ", modelRatios.Select(r => r.ToString("F2")))}); trained {seconds:F1} s");
            }
        }
        return 0;
    }

    public static int RunFashionMnist(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("usage: diffusion-fmnist CHECKPOINT [--n 500] [--skip-ddpm] [--runs sampler:steps[:spacing[:eta]],...] "
                + "[--fid-only] [--no-clip]");
            return 2;
        }
        int n = BenchSupport.Option(args, "--n", 500);
        using var model = (DiffusionModel)Checkpoint.Load(args[0]);
        using var reference = ReferenceClassifier.LoadBundled();
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        var real = reference.Extract(test.Images);
        int[] cycled = Enumerable.Range(0, n).Select(i => i % 10).ToArray();
        Console.WriteLine($"checkpoint {args[0]}: {model.Network.parameters().Sum(p => p.numel()):N0} parameters; {n} samples per sampler, "
            + $"classes cycled; FID against {test.Count} test images; threads {torch.get_num_threads()}");
        var runs = BenchSupport.StringOption(args, "--runs") is { } spec
            ? spec.Split(',').Select(ParseRun).ToList()
            : [new SamplerOptions { Sampler = "ddim", Steps = 50 }, new SamplerOptions { Sampler = "dpm++2m", Steps = 20 }];
        if (!args.Contains("--skip-ddpm")
            && !args.Contains("--runs")) runs.Add(new SamplerOptions { Sampler = "ddpm", Steps = 1000, Spacing = TimestepSpacing.Leading });
        bool? clip = args.Contains("--no-clip") ? false : null;   // leave x̂_0 unclipped (the pipeline clips it to [−1, 1])
        foreach (var options in runs)
        {
            using var scope = torch.NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var samples = Generate(model, options, cycled, 1.0, clip: clip);
            double seconds = clock.Elapsed.TotalSeconds;
            var fid = FrechetDistance.Compute(real, reference.Extract(samples)).Value;
            Console.WriteLine($"{options.Sampler,-8} {options.Steps,4} steps ({options.Spacing.ToString().ToLowerInvariant()}, eta "
                + $"{options.Eta}), guidance 1: FID-FMNIST {fid:F2}  ({n / seconds:F2} images/s)");
        }
        if (args.Contains("--fid-only")) return 0;
        using (var scope = torch.NewDisposeScope())
        {
            var samples = Generate(model, ParseRun("ddim:50"), cycled, 3.0);
            double accuracy =
                ClassifierScore.ConditionalAccuracy(reference.Logits(samples), torch.tensor(cycled.Select(l => (long)l).ToArray()));
            var fid = FrechetDistance.Compute(real, reference.Extract(samples)).Value;
            Console.WriteLine($"ddim       50 steps, guidance 3: class accuracy {accuracy:P1}, FID-FMNIST {fid:F2}");
        }
        foreach (var guidance in new[] { 1.0, 3.0 })
        {
            using var scope = torch.NewDisposeScope();
            var labels = Enumerable.Range(0, 64).Select(i => i % 10).ToArray();
            Generate(model, ParseRun("ddim:50"), labels, guidance, seed: 9);   // warm-up
            var clock = Stopwatch.StartNew();
            Generate(model, ParseRun("ddim:50"), labels, guidance, seed: 10);
            Console.WriteLine($"throughput DDIM-50, batch 64, guidance {guidance}: {64 / clock.Elapsed.TotalSeconds:F2} images/s");
        }
        return 0;
    }

    /// <summary>sampler:steps[:spacing[:eta]], e.g. ddim:50:leading:0.5.</summary>
    private static SamplerOptions ParseRun(string text)
    {
        var parts = text.Split(':');
        return new SamplerOptions
        {
            Sampler = parts[0], Steps = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            Spacing = parts.Length > 2 ? SamplingPlan.ParseSpacing(parts[2]) : parts[0] == "ddpm"
                ? TimestepSpacing.Leading : TimestepSpacing.Trailing,
            Eta = parts.Length > 3 ? double.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture) : 0,
        };
    }

    internal static Tensor Generate(DiffusionModel model, SamplerOptions options, int[] labels, double guidance,
        long seed = 1, bool? clip = null)
    {
        var parts = new List<Tensor>();
        for (int start = 0; start < labels.Length; start += 50)
        {
            var chunk = labels[start..Math.Min(labels.Length, start + 50)];
            parts.Add(model.Generate(new DiffusionRequest
            {
                Count = chunk.Length, Seed = seed + start, Labels = chunk, Guidance = guidance, ClipDenoised = clip,
                Sampler = options,
            }));
        }
        return torch.cat(parts, 0);
    }
}
