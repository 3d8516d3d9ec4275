using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.Models.Mixture;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>gmm</c>: EM fit time of a full-covariance Gaussian mixture, Loom vs scikit-learn (bench/peers/gmm_sklearn.py,
/// Debian's python3-sklearn) on the same data (written to CSV) and the same initialisation (k data rows as means,
/// uniform weights, identity precisions), for the same fixed number of iterations (tol = 0).
/// Options: --n 100000 --dims 8 --k 8 --iters 100 --repeats 3 --seed 0 --no-peer.
/// </summary>
public static class GmmBench
{
    public static int Run(string[] args)
    {
        int n = BenchSupport.Option(args, "--n", 100_000), d = BenchSupport.Option(args, "--dims", 8),
            k = BenchSupport.Option(args, "--k", 8);
        int iters = BenchSupport.Option(args, "--iters", 100), repeats = BenchSupport.Option(args, "--repeats", 3),
            seed = BenchSupport.Option(args, "--seed", 0);
        TorchRuntime.EnsureLoaded();
        Console.WriteLine(
            $"gmm bench: {n} x {d}, k={k}, full covariance, {iters} EM iterations (tol 0), torch threads {get_num_threads()}");
        var g = Seeding.Generator(seed, "gmm-bench");
        var centres = 4 * torch.randn([k, d], ScalarType.Float64, generator: g);
        var labels = torch.randint(k, [n], generator: g);
        var x = centres.index_select(0, labels) + torch.randn([n, d], ScalarType.Float64, generator: g);
        var meansInit = x.index_select(0, torch.randperm(n, generator: g)[..k]).clone();
        var options = new GaussianMixtureOptions
        {
            Components = k,
            CovarianceType = CovarianceType.Full,
            MaxIter = iters,
            Tol = 0,
            MeansInit = meansInit,
            WeightsInit = torch.full(k, 1.0 / k, ScalarType.Float64),
            PrecisionsInit = torch.eye(d, dtype: ScalarType.Float64).expand(k, d, d).clone(),
        };
        var dir = Directory.CreateTempSubdirectory("loom-gmm-bench-").FullName;
        NumericCsv.Write(Path.Combine(dir, "x.csv"), x);
        NumericCsv.Write(Path.Combine(dir, "means_init.csv"), meansInit);

        using (GaussianMixture.Fit(x, options with { MaxIter = 2 })) { } // warm-up
        var times = new List<double>();
        double loomLl = double.NaN;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            using var model = GaussianMixture.Fit(x, options);
            times.Add(sw.Elapsed.TotalSeconds);
            loomLl = model.MeanLogLikelihood(x);
        }
        double loom = BenchSupport.Median(times);
        Console.WriteLine($"loom: mean log-likelihood {loomLl:R}, fit times "
            + $"[{string.Join(", ", times.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}] s");
        if (args.Contains("--no-peer"))
            return 0;
        var peer = BenchSupport.RunPythonPeer("gmm_sklearn.py", Path.Combine(dir, "x.csv"), Path.Combine(dir, "means_init.csv"),
            iters.ToString(CultureInfo.InvariantCulture), repeats.ToString(CultureInfo.InvariantCulture));
        double sk = BenchSupport.Median(peer["times"]!.AsArray().Select(v => v!.GetValue<double>()).ToList());
        double skLl = peer["mean_log_likelihood"]!.GetValue<double>();
        Console.WriteLine($"scikit-learn {peer["sklearn"]}: mean log-likelihood {skLl:R}, fit times "
            + $"[{string.Join(", ", peer["times"]!.AsArray())}] s, n_iter {peer["n_iter"]}");
        Console.WriteLine($"| GMM EM {n}x{d}, k={k}, full, {iters} iters | {loom:F3} s | {sk:F3} s | {loom / sk:F2}x | |ΔLL| "
            + $"{Math.Abs(loomLl - skLl):G3} |");
        BenchTable.Add(new BenchRow($"GMM EM {n}x{d}, k={k}, full covariance, {iters} iterations", BenchTable.Format($"{loom:F3} s"),
            BenchTable.Format($"{sk:F3} s (scikit-learn {peer["sklearn"]})"), loom / sk, ""));
        return 0;
    }
}
