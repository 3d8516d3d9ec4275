using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.Models.Flows;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>flows</c>: (1) on 8 gaussians and checkerboard, the held-out NLL of RealNVP, MAF and spline flows against the
/// true density's own NLL on the same 5000 fresh points (<see cref="ToyDensity"/>; the bar is within 0.05 nats), each
/// flow trained for at most <c>--steps</c> steps or <c>--toy-minutes</c> minutes of wall time; (2) on Fashion-MNIST, test
/// bits/dim (first 1000 test images, dequantized with seed 0) of RealNVP and Glow at about equal parameter count, each
/// trained for the same <c>--image-minutes</c> minutes of wall time.
/// Options: --points 20000 --steps 4000 --toy-minutes 2 --image-minutes 4 --train-limit 20000 --seed 0 --no-images --no-toys
/// --sets 8gaussians,checkerboard --architectures realnvp,maf,spline.
/// </summary>
public static class FlowsBench
{
    public static int Run(string[] args)
    {
        int points = BenchSupport.Option(args, "--points", 20000), steps = BenchSupport.Option(args, "--steps", 4000);
        double toyMinutes = BenchSupport.Option(args, "--toy-minutes", 2), imageMinutes = BenchSupport.Option(args, "--image-minutes", 4);
        int trainLimit = BenchSupport.Option(args, "--train-limit", 20000), seed = BenchSupport.Option(args, "--seed", 0);
        TorchRuntime.EnsureLoaded();
        Console.WriteLine($"flows bench: torch threads {get_num_threads()}, seed {seed}");
        var dir = Directory.CreateTempSubdirectory("loom-flows-bench-").FullName;
        if (!args.Contains("--no-toys"))
        {
            var architectures = (BenchSupport.StringOption(args, "--architectures") ?? "realnvp,maf,spline").Split(',');
            foreach (var data in (BenchSupport.StringOption(args, "--sets") ?? "8gaussians,checkerboard").Split(','))
                Toys(data, architectures, points, steps, toyMinutes, seed, dir);
        }
        if (!args.Contains("--no-images"))
            Images(imageMinutes, trainLimit, seed, dir);
        return 0;
    }

    private static void Toys(string data, IReadOnlyCollection<string> architectures, int points, int steps, double minutes, int seed,
        string dir)
    {
        using var heldOut = ToyData.Generate(data, 5000, Seeding.Derive(seed, "flows-bench-heldout"));
        double truth = -ToyDensity.LogProb(data, heldOut).mean().item<double>();
        Console.WriteLine($"{data}: true density NLL on 5000 fresh points {truth:F4} nats");
        var recipes = new (string Name, JsonObject Recipe)[]
        {
            ("realnvp", new() { ["architecture"] = "realnvp", ["layers"] = 8, ["hidden"] = 64 }),
            ("maf", new() { ["architecture"] = "maf", ["layers"] = 5, ["hidden"] = 64 }),
            ("spline", new() { ["architecture"] = "spline", ["layers"] = 4, ["hidden"] = 64, ["bins"] = 8, ["tail_bound"] = 4.0 }),
        };
        foreach (var (name, recipe) in recipes.Where(r => architectures.Contains(r.Name)))
        {
            recipe["data"] = data;
            recipe["points"] = points;
            recipe["steps"] = steps;
            recipe["batch_size"] = 256;
            recipe["learning_rate"] = 2e-3;
            recipe["holdout"] = 0.0;
            recipe["seed"] = seed;
            var (outcome, seconds) = Train(recipe, Path.Combine(dir, $"{data}-{name}"), minutes);
            using (outcome)
            {
                var model = (FlowModel)outcome.Model;
                double nll = model.ExampleNll(heldOut).mean().item<double>();
                Console.WriteLine($"| {data} | {name} | {model.ParameterCount} | {outcome.Metrics["steps"]} | {seconds:F0} s | "
                    + $"{nll:F4} | {truth:F4} | {nll - truth:+0.0000;-0.0000} | {(nll - truth <= 0.05 ? "yes" : "no")} |");
            }
        }
    }

    private static void Images(double minutes, int trainLimit, int seed, string dir)
    {
        using var test = FashionMnist.Load("test");
        using var pixels = (test.Images.narrow(0, 0, 1000) * 255).round();
        var recipes = new (string Name, JsonObject Recipe)[]
        {
            ("realnvp", new() { ["architecture"] = "realnvp", ["layers"] = 4, ["hidden"] = 32 }),
            ("glow", new() { ["architecture"] = "glow", ["layers"] = 3, ["hidden"] = 32 }),
        };
        foreach (var (name, recipe) in recipes)
        {
            recipe["data"] = "fashion-mnist";
            recipe["train_limit"] = trainLimit;
            recipe["steps"] = 1_000_000;
            recipe["batch_size"] = 64;
            recipe["learning_rate"] = 1e-3;
            recipe["lr_schedule"] = "constant";
            recipe["holdout"] = 0.0;
            recipe["seed"] = seed;
            var (outcome, seconds) = Train(recipe, Path.Combine(dir, $"fmnist-{name}"), minutes);
            using (outcome)
            {
                var model = (FlowModel)outcome.Model;
                var report = FlowScoring.ScoreImages(model, pixels);
                Console.WriteLine($"| fashion-mnist | {name} | {model.ParameterCount} | {outcome.Metrics["steps"]} | {seconds:F0} s | "
                    + $"{report.BitsPerUnit:F3} bits/dim |");
            }
        }
    }

    private static (TrainingOutcome Outcome, double Seconds) Train(JsonObject recipe, string folder, double minutes)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var clock = Stopwatch.StartNew();
        var outcome = new FlowFamily().Train(recipe, new TrainingContext
        {
            OutputFolder = folder, Overwrite = true, Cancellation = budget.Token, Origin = "bench flows",
        });
        return (outcome, clock.Elapsed.TotalSeconds);
    }
}
