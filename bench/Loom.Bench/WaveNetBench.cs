using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Audio;
using Loom.Core;
using Loom.Data.Audio;
using Loom.Models.WaveNet;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>wavenet</c>: a digit-conditional WaveNet trained on the spoken-digits train split within a wall-time budget (a short
/// calibration run times a step first), then its test NLL in bits per sample (each clip given its digit) next to add-k
/// μ-law n-gram baselines (k = 0.1 fixed beforehand, unigram to trigram, counted on the same train split, clip starts
/// padded with the silence level), and generation speed of the fast (queue) and naive (recompute) generators.
/// Options: --minutes 6 --residual-channels 32 --skip-channels 64 --layers-per-stack 8 --stacks 2 --window 2048
/// --batch-size 8 --seed 1 --gen-length 1000 --threads 1 [--timeline] (also condition on the position in the clip).
/// </summary>
public static class WaveNetBench
{
    private const double AddK = 0.1;

    public static int Run(string[] args)
    {
        double minutes = double.Parse(BenchSupport.StringOption(args, "--minutes") ?? "6", CultureInfo.InvariantCulture);
        int seed = BenchSupport.Option(args, "--seed", 1), genLength = BenchSupport.Option(args, "--gen-length", 1000);
        TorchRuntime.EnsureLoaded();
        // One thread by default: on a shared, oversubscribed machine two torch threads spin at every barrier (14× slower here).
        torch.set_num_threads(BenchSupport.Option(args, "--threads", 1));
        var clock = Stopwatch.StartNew();
        var index = SpokenDigits.ResolveIndex("spoken-digits");
        var train = SpokenDigits.Load(index, SpokenDigits.TrainSplit).Select(c => MuLaw.Encode(c.Clip.Samples)).ToList();
        var test = SpokenDigits.Load(index, SpokenDigits.TestSplit).Select(c => MuLaw.Encode(c.Clip.Samples)).ToList();
        Console.WriteLine($"wavenet bench: torch threads {get_num_threads()}, data {index} ({train.Count} train clips, "
            + $"{train.Sum(c => c.Length)} samples; {test.Count} test clips, {test.Sum(c => c.Length)} samples; "
            + $"{clock.Elapsed.TotalSeconds:F0} s)");
        for (int order = 1; order <= 3; order++)
            Console.WriteLine($"| mu-law {order}-gram, add-{AddK} | test bits/sample {NGramBits(train, test, order):F4} |");

        var recipe = new JsonObject
        {
            ["data"] = index, ["residual_channels"] = BenchSupport.Option(args, "--residual-channels", 32),
            ["skip_channels"] = BenchSupport.Option(args, "--skip-channels", 64),
            ["layers_per_stack"] = BenchSupport.Option(args, "--layers-per-stack", 8),
            ["stacks"] = BenchSupport.Option(args, "--stacks", 2),
            ["window"] = BenchSupport.Option(args, "--window", 2048), ["batch_size"] = BenchSupport.Option(args, "--batch-size", 8),
            ["learning_rate"] = 2e-3, ["lr_schedule"] = "cosine", ["warmup"] = 50, ["seed"] = seed, ["preview_samples"] = 0,
            ["checkpoint_every"] = 0, ["timeline"] = args.Contains("--timeline"),
        };
        var dir = Directory.CreateTempSubdirectory("loom-wavenet-bench-").FullName;
        var calibration = (JsonObject)recipe.DeepClone();
        calibration["steps"] = 6;
        calibration["eval_clips"] = 0;
        var (probe, probeSeconds) = Train(calibration, Path.Combine(dir, "calibration"), minutes);
        probe.Dispose();
        long steps = Math.Max(20, (long)(minutes * 60 * 0.9 / (probeSeconds / 6)));
        Console.WriteLine($"calibration: {probeSeconds / 6:F2} s per step; main run {steps} steps");
        recipe["steps"] = steps;
        recipe["eval_clips"] = 10000;
        var (outcome, seconds) = Train(recipe, Path.Combine(dir, "main"), minutes * 1.3);
        using (outcome)
        {
            var model = (WaveNetModel)outcome.Model;
            var metrics = outcome.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value);
            if (outcome.Interrupted)
                foreach (var (key, value) in WaveNetTrainingRun.Evaluate(model, index, 10000, CancellationToken.None)) metrics[key] = value;
            Console.WriteLine("| model | parameters | receptive field | steps | train s | test bits/sample |");
            Console.WriteLine($"| WaveNet {recipe["stacks"]}×{recipe["layers_per_stack"]} layers, {recipe["residual_channels"]}/"
                + $"{recipe["skip_channels"]} channels, digit-conditional | {metrics["parameters"]:F0} | {model.Config.ReceptiveField} | "
                + $"{metrics["steps"]:F0} | {metrics["train_seconds"]:F0} | {metrics["test_bits_per_sample"]:F4} |");
            Console.WriteLine($"(wall time of the main run including evaluation: {seconds:F0} s; interrupted: {outcome.Interrupted})");
            using var labels = torch.tensor(new long[] { 3 });
            var fastClock = Stopwatch.StartNew();
            using var fast = WaveNetGenerator.Fast(model.Network, genLength, labels, 1.0, seed, 1);
            double fastRate = genLength / fastClock.Elapsed.TotalSeconds;
            int naiveLength = Math.Min(genLength, 300);
            var naiveClock = Stopwatch.StartNew();
            using var naive = WaveNetGenerator.Naive(model.Network, naiveLength, labels, 1.0, seed, 1);
            double naiveRate = naiveLength / naiveClock.Elapsed.TotalSeconds;
            bool same = fast.narrow(1, 0, naiveLength).equal(naive).all().item<bool>();
            Console.WriteLine($"| generation, 1 clip | fast {fastRate:F0} samples/s ({genLength} samples) | naive {naiveRate:F0} samples/s "
                + $"({naiveLength} samples) | speed-up {fastRate / naiveRate:F1}× | identical prefix: {same} |");
        }
        return 0;
    }

    /// <summary>Test bits per sample of an add-k n-gram over μ-law levels counted on the training clips.</summary>
    private static double NGramBits(IReadOnlyList<byte[]> train, IReadOnlyList<byte[]> test, int order)
    {
        int contexts = 1 << (8 * (order - 1));
        var counts = new int[(long)contexts * 256];
        var totals = new int[contexts];
        static int Context(byte[] clip, int t, int order)
        {
            int c = 0;
            for (int j = order - 1; j >= 1; j--) c = (c << 8) | (t - j >= 0 ? clip[t - j] : MuLaw.Encode(0.0));
            return c;
        }
        foreach (var clip in train)
            for (int t = 0; t < clip.Length; t++)
            {
                int c = Context(clip, t, order);
                counts[(long)c * 256 + clip[t]]++;
                totals[c]++;
            }
        double bits = 0;
        long n = 0;
        foreach (var clip in test)
            for (int t = 0; t < clip.Length; t++, n++)
            {
                int c = Context(clip, t, order);
                bits -= Math.Log2((counts[(long)c * 256 + clip[t]] + AddK) / (totals[c] + 256 * AddK));
            }
        return bits / n;
    }

    private static (TrainingOutcome Outcome, double Seconds) Train(JsonObject recipe, string folder, double minutes)
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var clock = Stopwatch.StartNew();
        var outcome = new WaveNetFamily().Train(recipe, new TrainingContext
        {
            OutputFolder = folder, Overwrite = true, Cancellation = budget.Token, Origin = "bench wavenet",
            Messages = new Progress<string>(Console.WriteLine),
        });
        return (outcome, clock.Elapsed.TotalSeconds);
    }
}
