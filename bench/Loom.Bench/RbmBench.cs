using System.Text.Json.Nodes;
using Loom.Data;
using Loom.Models;
using Loom.Models.Boltzmann;
using Loom.Models.Hopfield;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// RBMs and Hopfield networks. Part 1: on the first <c>--train</c> Fashion-MNIST training images (binarized once, seed 0),
/// RBMs trained by CD-1, CD-10 and PCD-1 for the same epochs, hidden units, learning rate and batch (no momentum or
/// weight decay, as scikit-learn), each scored on the first <c>--test</c> test images (binarized, seed 0) by AIS
/// log-likelihood and pseudo-likelihood, with seconds per epoch; beside them scikit-learn's BernoulliRBM (PCD-1) with the
/// same settings, its weights scored by the same AIS. Part 2: exact retrieval from 10% noise vs stored patterns for the
/// classical network (Hebbian, pseudo-inverse) and the modern one, on random patterns (N = 200) and binarized images.
/// <c>--bars-stripes</c> runs the bars-and-stripes comparison instead (<see cref="BarsAndStripesRun"/>).
/// </summary>
public static class RbmBench
{
    public static int Run(string[] args)
    {
        if (args.Contains("--bars-stripes"))
            return BarsAndStripesRun(args);
        int train = BenchSupport.Option(args, "--train", 5000);
        int test = BenchSupport.Option(args, "--test", 1000);
        int hidden = BenchSupport.Option(args, "--hidden", 64);
        int epochs = BenchSupport.Option(args, "--epochs", 5);
        int batch = BenchSupport.Option(args, "--batch", 64);
        double lr = 0.05;
        var ais = new AisOptions { Chains = 100, Betas = BenchSupport.Option(args, "--ais-betas", 10000), Seed = 0 };
        Console.WriteLine($"rbm bench: fashion-mnist first {train} train / {test} test images binarized (seed 0), hidden {hidden}, "
            + $"lr {lr}, batch {batch}, epochs {epochs}, momentum 0, weight decay 0; AIS {ais.Chains} chains × {ais.Betas} β; "
            + $"torch threads {torch.get_num_threads()}");
        var dir = Directory.CreateTempSubdirectory("loom-rbm-bench").FullName;
        using var trainData = TrainingData.Load("fashion-mnist", new DataLoadOptions { Limit = train });
        using var testData = TrainingData.Load("fashion-mnist", new DataLoadOptions { Split = FashionMnistSplit.Test, Limit = test });
        using var trainRows = RbmData.Binary(trainData.Examples, true, 0, "train");
        using var testRows = RbmData.Binary(testData.Examples, true, 0, "test");
        Console.WriteLine($"{"method",-16} {"test LL (AIS)",14} {"log Z ± se",18} {"test PL",9} {"train PL",9} {"s/epoch",8}");
        var results = new JsonObject();
        foreach (var (name, method, k) in new[] { ("cd-1", "cd", 1), ("cd-10", "cd", 10), ("pcd-1", "pcd", 1) })
        {
            var recipe = new RbmRecipe
            {
                Data = "fashion-mnist", TrainLimit = train, EvalN = test, Hidden = hidden, Method = method, K = k, Epochs = epochs,
                BatchSize = batch, LearningRate = lr, Momentum = 0, WeightDecay = 0, AisChains = ais.Chains, AisBetas = ais.Betas, Seed = 0,
            };
            using var outcome = ModelRegistry.Trainable("rbm").Train(RecipeJson.ToJson(recipe),
                new TrainingContext { OutputFolder = Path.Combine(dir, name) });
            var m = outcome.Metrics;
            Console.WriteLine($"{"loom " + name,-16} {m["test_mean_log_likelihood"],14:F2} {m["log_z"],10:F2} ± {m["log_z_stderr"],5:F2} "
                + $"{m["test_pseudo_log_likelihood"],9:F2} {m["train_pseudo_log_likelihood"],9:F2} {m["seconds_per_epoch"],8:F2}");
            results[name] = m["test_mean_log_likelihood"];
        }
        NumericCsv.Write(Path.Combine(dir, "train.csv"), trainRows);
        NumericCsv.Write(Path.Combine(dir, "test.csv"), testRows);
        var peer = BenchSupport.RunPythonPeer("rbm_sklearn.py", Path.Combine(dir, "train.csv"), Path.Combine(dir, "test.csv"),
            hidden.ToString(), lr.ToString(System.Globalization.CultureInfo.InvariantCulture), batch.ToString(), epochs.ToString(), "0",
            dir);
        var sk = SklearnModel(dir);
        using var baseBias = RbmBaseRate.VisibleBias(trainRows, RbmVisible.Bernoulli);
        var z = AnnealedImportanceSampling.LogZ(sk, baseBias, ais);
        double skLl = -(sk.FreeEnergy(testRows.to(ScalarType.Float64)).mean().ToDouble() + z.LogZ);
        using var skTrain = trainRows.to(ScalarType.Float64);
        double skTrainPl = PseudoLikelihood.Score(sk, skTrain, 0).mean().ToDouble();
        double skTestPl = PseudoLikelihood.Score(sk, testRows.to(ScalarType.Float64), 0).mean().ToDouble();
        Console.WriteLine($"{"sklearn pcd-1",-16} {skLl,14:F2} {z.LogZ,10:F2} ± {z.StandardError,5:F2} {skTestPl,9:F2} {skTrainPl,9:F2} "
            + $"{peer["seconds_per_epoch"]!.GetValue<double>(),8:F2}   (scikit-learn {peer["version"]}; its own score_samples: test "
            + $"{peer["test_pseudo_log_likelihood"]!.GetValue<double>():F2}, "
            + $"train {peer["train_pseudo_log_likelihood"]!.GetValue<double>():F2})");
        double pcd = results["pcd-1"]!.GetValue<double>(), cd1 = results["cd-1"]!.GetValue<double>();
        Console.WriteLine(pcd > cd1 ? $"PCD-1 beats CD-1 by {pcd - cd1:F2} nats" : $"PCD-1 does NOT beat CD-1 here ({pcd:F2} vs {cd1:F2})");
        Hopfield(trainData);
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    /// <summary>
    /// <c>rbm --bars-stripes</c>: on the 30 patterns of 4×4 bars and stripes (<see cref="BarsAndStripes"/>), Loom with the
    /// quickstart's settings (CD-10, momentum 0.5), Loom PCD-1 and scikit-learn's BernoulliRBM (PCD-1) at scikit-learn's
    /// settings (plain SGD), all with 32 hidden units, batch 30 and <c>--steps</c> updates; each scored by the exact NLL
    /// (log Z by enumeration) against ln 30 and by 1000 Gibbs chains of 1000 steps (valid fraction, patterns reached).
    /// </summary>
    private static int BarsAndStripesRun(string[] args)
    {
        int steps = BenchSupport.Option(args, "--steps", 3000);
        int hidden = BenchSupport.Option(args, "--hidden", 32);
        const int size = 4, sampleSteps = 1000;
        Console.WriteLine($"rbm bench: bars and stripes 4x4 (30 patterns, optimum ln 30 = {BarsAndStripes.OptimalNll(size):F3}), "
            + $"hidden {hidden}, batch 30, {steps} updates; torch threads {torch.get_num_threads()}");
        var dir = Directory.CreateTempSubdirectory("loom-rbm-bas-bench").FullName;
        using var patterns = BarsAndStripes.Patterns(size);
        Console.WriteLine($"{"model",-34} {"exact NLL",10} {"− ln 30",8} {"valid",7} {"reached",8} {"seconds",8}");
        foreach (var (name, method, k, lr, momentum) in new[]
                 {
                     ("loom cd-10 lr 0.05 momentum 0.5", "cd", 10, 0.05, 0.5), ("loom pcd-1 lr 0.05", "pcd", 1, 0.05, 0.0),
                     ("loom pcd-1 lr 0.1", "pcd", 1, 0.1, 0.0),
                 })
        {
            var recipe = new RbmRecipe
            {
                Data = BarsAndStripes.Name, Hidden = hidden, Method = method, K = k, Epochs = steps, BatchSize = 30, LearningRate = lr,
                Momentum = momentum, WeightDecay = 0, SampleSteps = sampleSteps, Seed = 0,
            };
            using var outcome = ModelRegistry.Trainable("rbm").Train(RecipeJson.ToJson(recipe),
                new TrainingContext { OutputFolder = Path.Combine(dir, method + k + lr) });
            var m = outcome.Metrics;
            BarsRow(name, m["exact_nll"], m["valid_sample_fraction"], (int)m["patterns_covered"], m["train_seconds"]);
        }
        NumericCsv.Write(Path.Combine(dir, "patterns.csv"), patterns);
        foreach (var lr in new[] { 0.05, 0.1 })
        {
            var text = lr.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var peer = BenchSupport.RunPythonPeer("rbm_sklearn.py", Path.Combine(dir, "patterns.csv"), Path.Combine(dir, "patterns.csv"),
                hidden.ToString(), text, "30", steps.ToString(), "0", dir);
            var sk = SklearnModel(dir);
            double nll = (sk.FreeEnergy(patterns.to(ScalarType.Float64)) + RbmPartition.ExactLogZ(sk)).mean().ToDouble();
            using var half = torch.zeros(size * size, dtype: ScalarType.Float64);   // the patterns' base rates are all 0.5
            var (samples, valid, covered) = RbmBarsAndStripesCheck.Sample(sk, half, size, sampleSteps, 0);
            samples.Dispose();
            BarsRow($"sklearn {peer["version"]} pcd-1 lr {text}", nll, valid, covered,
                peer["seconds_per_epoch"]!.GetValue<double>() * steps);
        }
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    private static void BarsRow(string name, double nll, double valid, int covered, double seconds) =>
        Console.WriteLine($"{name,-34} {nll,10:F3} {nll - BarsAndStripes.OptimalNll(4),8:F3} {valid,7:P1} {covered,5} / 30 {seconds,8:F1}");

    private static RbmParameters SklearnModel(string dir)
    {
        var w = NumericCsv.ReadMatrix(Path.Combine(dir, "weight.csv")).to(ScalarType.Float64);
        var b = NumericCsv.ReadMatrix(Path.Combine(dir, "visible_bias.csv")).to(ScalarType.Float64).reshape(-1);
        var c = NumericCsv.ReadMatrix(Path.Combine(dir, "hidden_bias.csv")).to(ScalarType.Float64).reshape(-1);
        return new RbmParameters(w, b, c, RbmVisible.Bernoulli);
    }

    private static void Hopfield(TrainingData images)
    {
        Console.WriteLine();
        Console.WriteLine("hopfield: fraction of stored patterns recovered exactly from 10% flipped units (classical: asynchronous "
            + "updates to a fixed point; modern: one update)");
        Console.WriteLine($"{"patterns",-22} {"P",4} {"P/N",6} {"hebbian",8} {"pinv",8} {"modern",8}");
        foreach (int p in new[] { 10, 20, 25, 28, 30, 35, 40, 60, 100 })
        {
            using var patterns = HopfieldPatterns.Random(p, 200, p);
            Row("random N=200 (β=0.1)", patterns, 0.1);
        }
        using var bipolar = HopfieldPatterns.Bipolar(images.Examples.narrow(0, 0, 200));
        foreach (int p in new[] { 2, 5, 10, 20, 50, 100, 200 })
        {
            using var patterns = bipolar.narrow(0, 0, p);
            Row("fmnist N=784 (β=0.1)", patterns, 0.1);
        }
    }

    private static void Row(string name, Tensor patterns, double beta)
    {
        var (hebbian, _) = HopfieldRetrieval.Measure(patterns, HopfieldRule.Hebbian, beta, 0.1, 1);
        var (pinv, modern) = HopfieldRetrieval.Measure(patterns, HopfieldRule.PseudoInverse, beta, 0.1, 1);
        Console.WriteLine($"{name,-22} {patterns.shape[0],4} {(double)patterns.shape[0] / patterns.shape[1],6:F3} "
            + $"{hebbian.ExactFraction,8:F2} {pinv.ExactFraction,8:F2} {modern.ExactFraction,8:F2}");
    }
}
