using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.PixelCnn;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>pixelcnn</c>: a Gated PixelCNN (binary head) trained on dynamically binarized Fashion-MNIST within a wall-time budget,
/// then its exact test NLL on the first <c>--eval-n</c> test images binarized once with the seed — the same binary images
/// as the VAE/IWAE row of docs/benchmarks.md at <c>--seed 1</c> (IWAE k=5: 235.26 nats). A short calibration run times a
/// step first, so the main run's cosine schedule ends inside the budget; a guard cancels it at 1.2× the budget (then the
/// bench scores the saved weights itself). Options: --minutes 25 --channels 32 --layers 7 --first-kernel 7 --batch-size 32
/// --learning-rate 2e-3 --seed 1 --eval-n 2000 --samples 16 --grid PATH (a PNG grid of samples).
/// </summary>
public static class PixelCnnBench
{
    private const double VaeIwaeNats = 235.26;

    public static int Run(string[] args)
    {
        double minutes = double.Parse(BenchSupport.StringOption(args, "--minutes") ?? "25", CultureInfo.InvariantCulture);
        double learningRate = double.Parse(BenchSupport.StringOption(args, "--learning-rate") ?? "2e-3", CultureInfo.InvariantCulture);
        int seed = BenchSupport.Option(args, "--seed", 1), evalN = BenchSupport.Option(args, "--eval-n", 2000);
        var recipe = new JsonObject
        {
            ["data"] = "fashion-mnist", ["head"] = "binary", ["channels"] = BenchSupport.Option(args, "--channels", 32),
            ["layers"] = BenchSupport.Option(args, "--layers", 7), ["first_kernel"] = BenchSupport.Option(args, "--first-kernel", 7),
            ["output_hidden"] = BenchSupport.Option(args, "--channels", 32), ["batch_size"] = BenchSupport.Option(args, "--batch-size", 32),
            ["learning_rate"] = learningRate, ["lr_schedule"] = "cosine", ["warmup"] = 50, ["seed"] = seed, ["preview_samples"] = 0,
            ["checkpoint_every"] = 0,
        };
        TorchRuntime.EnsureLoaded();
        Console.WriteLine($"pixelcnn bench: torch threads {get_num_threads()}, budget {minutes} min, recipe {recipe.ToJsonString()}");
        var dir = Directory.CreateTempSubdirectory("loom-pixelcnn-bench-").FullName;

        var calibration = (JsonObject)recipe.DeepClone();
        calibration["steps"] = 12;
        calibration["eval_n"] = 0;
        var (probe, probeSeconds) = Train(calibration, Path.Combine(dir, "calibration"), minutes);
        probe.Dispose();
        double stepSeconds = probeSeconds / 12;
        long steps = Math.Max(20, (long)(minutes * 60 * 0.9 / stepSeconds) - 12);
        Console.WriteLine($"calibration: {stepSeconds:F2} s per step; main run {steps} steps");

        recipe["steps"] = steps;
        recipe["eval_n"] = evalN;
        var (outcome, seconds) = Train(recipe, Path.Combine(dir, "main"), minutes * 1.2);
        using (outcome)
        {
            var model = (PixelCnnModel)outcome.Model;
            var metrics = outcome.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value);
            if (outcome.Interrupted)
            {
                using var train = Loom.Data.TrainingData.Load("fashion-mnist", new Loom.Data.DataLoadOptions());
                foreach (var (key, value) in PixelCnnEvaluation.Evaluate(model, train, evalN, seed)) metrics[key] = value;
            }
            double nll = metrics["test_nll"], epochs = metrics["steps"] * (int)recipe["batch_size"]! / 60000.0;
            Console.WriteLine("| model | parameters | steps | epochs | train s | test NLL (nats) | bits/dim | vs IWAE 235.26 |");
            Console.WriteLine($"| Gated PixelCNN, {recipe["layers"]} layers × {recipe["channels"]} channels | "
                + $"{metrics["parameters"]:F0} | "
                + $"{metrics["steps"]:F0} | {epochs:F2} | {metrics["train_seconds"]:F0} | {nll:F2} | {metrics["test_bits_per_dim"]:F4} | "
                + $"{nll - VaeIwaeNats:+0.00;-0.00} |");
            Console.WriteLine($"(wall time of the main run including evaluation: {seconds:F0} s; interrupted: {outcome.Interrupted})");
            if (BenchSupport.StringOption(args, "--grid") is { } grid)
            {
                var clock = Stopwatch.StartNew();
                int count = BenchSupport.Option(args, "--samples", 16);
                using var samples = (TensorSamples)model.Sample(new SampleRequest { Count = count, Seed = seed });
                SampleGrid.Write(grid, samples.Values);
                Console.WriteLine($"wrote {count} samples to {grid} in {clock.Elapsed.TotalSeconds:F0} s");
            }
        }
        return 0;
    }

    private static (TrainingOutcome Outcome, double Seconds) Train(JsonObject recipe, string folder, double minutes)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var clock = Stopwatch.StartNew();
        var outcome = new PixelCnnFamily().Train(recipe, new TrainingContext
        {
            OutputFolder = folder, Overwrite = true, Cancellation = budget.Token, Origin = "bench pixelcnn",
            Messages = new Progress<string>(Console.WriteLine),
        });
        return (outcome, clock.Elapsed.TotalSeconds);
    }
}
