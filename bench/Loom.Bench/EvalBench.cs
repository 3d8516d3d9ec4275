using System.Diagnostics;
using System.Globalization;
using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Distribution;
using Loom.Evaluation.Reference;
using Loom.IO;
using TorchSharp;
using static Loom.Bench.BenchSupport;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>eval</c>: throughput of the image metrics and the real-vs-real sanity bars.
/// Times feature extraction of the 10,000 Fashion-MNIST test images with the reference network and the Fréchet
/// distance of two 10,000-image feature sets; then reports FID-FMNIST / KID-FMNIST / precision-recall between the two
/// halves of the test set and between 10,000 training images and the test set. The peer (bench/peers/fid_torch.py)
/// runs the same network with the same weights in PyTorch and the FID with scipy.linalg.sqrtm, on the same images.
/// Options: --repeats 3 --no-peer.
/// </summary>
public static class EvalBench
{
    public static int Run(string[] args)
    {
        int repeats = Option(args, "--repeats", 3);
        bool peer = !args.Contains("--no-peer");
        TorchRuntime.EnsureLoaded();
        Console.WriteLine(
            $"eval bench: Fashion-MNIST reference network, torch threads {get_num_threads()}, {Environment.ProcessorCount} cores");
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var net = ReferenceClassifier.LoadBundled();

        Tensor? testFeatures = null;
        var extractTimes = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            testFeatures?.Dispose();
            var sw = Stopwatch.StartNew();
            testFeatures = net.Extract(test.Images);
            extractTimes.Add(sw.Elapsed.TotalSeconds);
        }
        using var g = Seeding.Generator(0, "bench-train-subset");
        using var trainSubset = train.Images.index_select(0, randperm(train.Images.shape[0], generator: g)[..10000]);
        using var trainFeatures = net.Extract(trainSubset);
        var fidTimes = new List<double>();
        double fidTrainTest = 0;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            fidTrainTest = FrechetDistance.Compute(testFeatures!, trainFeatures).Value;
            fidTimes.Add(sw.Elapsed.TotalSeconds);
        }
        double extract = Median(extractTimes), fid = Median(fidTimes);
        Console.WriteLine($"loom  features 10k: {extract:F3} s ({10000 / extract:F0} images/s)   FID 10k vs 10k (128-d): {fid * 1000:F1} "
            + $"ms   total {extract + fid:F3} s");

        using var a = testFeatures!.narrow(0, 0, 5000);
        using var b = testFeatures!.narrow(0, 5000, 5000);
        Report("test[0:5000] vs test[5000:10000]", a, b);
        Report("train (10k random) vs test (10k)", trainFeatures, testFeatures!);
        double accuracy = net.Accuracy(test.Images, test.Labels);
        Console.WriteLine($"reference network test accuracy: {accuracy:P2}");

        if (peer)
        {
            var dir = Directory.CreateTempSubdirectory("loom-eval-bench-").FullName;
            var weights = Path.Combine(AppContext.BaseDirectory, ReferenceClassifier.BundledFolder, "model.safetensors");
            using var subsetIndices = randperm(train.Images.shape[0], generator: Seeding.Generator(0, "bench-train-subset"))[..10000];
            SafeTensorsFile.Save(Path.Combine(dir, "train_subset_indices.safetensors"),
                new Dictionary<string, Tensor> { ["indices"] = subsetIndices });
            var result = RunPythonPeer("fid_torch.py", weights, test.Folder, Path.Combine(dir, "train_subset_indices.safetensors"),
                repeats.ToString(CultureInfo.InvariantCulture));
            double peerExtract = result["extract_s"]!.GetValue<double>(), peerFid = result["fid_s"]!.GetValue<double>();
            Console.WriteLine($"peer  features 10k: {peerExtract:F3} s ({10000 / peerExtract:F0} images/s)   FID 10k vs 10k: "
                + $"{peerFid * 1000:F1} ms   total {peerExtract + peerFid:F3} s  ({result["versions"]})");
            Console.WriteLine($"peer  FID train vs test {result["fid_train_test"]!.GetValue<double>():F6} (loom {fidTrainTest:F6}); "
                + $"relative difference {Math.Abs(result["fid_train_test"]!.GetValue<double>() - fidTrainTest) / fidTrainTest:E2}");
            Console.WriteLine($"ratio loom/peer total: {(extract + fid) / (peerExtract + peerFid):F2}x");
        }
        return 0;
    }

    private static void Report(string label, Tensor real, Tensor fake)
    {
        var fid = FrechetDistance.Compute(real, fake).Value;
        var kid = KernelInceptionDistance.Subsets(real, fake, 100, 1000, 0);
        var m = ManifoldMetrics.Compute(real, fake);
        Console.WriteLine($"{label}: FID-FMNIST {fid:F4}  KID-FMNIST {kid.Mean:F5} ± {kid.Std:F5}  precision {m.Precision:F4} recall "
            + $"{m.Recall:F4} density {m.Density:F4} coverage {m.Coverage:F4}");
    }
}
