using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models;
using Loom.Models.Hmm;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>hmm</c>: Baum-Welch fit time of a Gaussian (diagonal) HMM, Loom vs a vectorized NumPy Baum-Welch
/// (bench/peers/hmm_numpy.py; scikit-learn has no HMM). Both start from Loom's k-means initial parameters, run the
/// same fixed number of EM iterations on the same sampled data, and report the final log-likelihood.
/// Options: --sequences 50 --steps 1000 --states 5 --dims 4 --iters 20 --repeats 3 --seed 0 --no-peer.
/// </summary>
public static class HmmBench
{
    public static int Run(string[] args)
    {
        int sequences = Option(args, "--sequences", 50), steps = Option(args, "--steps", 1000), states = Option(args, "--states", 5);
        int dims = Option(args, "--dims", 4), iters = Option(args, "--iters", 20), repeats = Option(args, "--repeats", 3),
            seed = Option(args, "--seed", 0);
        bool peer = !args.Contains("--no-peer");
        TorchRuntime.EnsureLoaded();
        Console.WriteLine($"hmm bench: {sequences} sequences x {steps} steps, {states} states, {dims}-D diagonal Gaussians, {iters} EM "
            + $"iterations, torch threads {get_num_threads()}");

        var data = SampleData(sequences, steps, states, dims, seed);
        var options = new HmmOptions { States = states, Emission = HmmEmission.GaussianDiag, MaxIter = iters, Tol = 0, Seed = seed };
        using var init = HiddenMarkovModel.Initialize(data, options);

        var dir = Directory.CreateTempSubdirectory("loom-hmm-bench-").FullName;
        var dataPath = Path.Combine(dir, "data.csv");
        var initPath = Path.Combine(dir, "init.json");
        HmmData.Write(dataPath, data);
        File.WriteAllText(initPath, InitJson(init, options.MinCovar));

        using (var warm = init.FitFrom(data, options with { MaxIter = 1 })) { }
        var times = new List<double>();
        double loomFinal = double.NaN;
        int loomIters = 0;
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            using var fitted = init.FitFrom(data, options);
            times.Add(sw.Elapsed.TotalSeconds);
            loomFinal = fitted.LogLikelihoods(data).Sum();
            loomIters = fitted.Monitor!.Iterations;
        }
        double loomTime = Median(times);
        Console.WriteLine($"loom: {loomIters} iterations, final log-likelihood {loomFinal:R}, fit times "
            + $"[{string.Join(", ", times.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}] s");

        if (!peer)
            return 0;
        var (peerFinal, peerTimes, numpy) = RunPeer(dataPath, initPath, iters, repeats);
        double peerTime = Median(peerTimes);
        Console.WriteLine($"numpy {numpy}: final log-likelihood {peerFinal:R}, fit times "
            + $"[{string.Join(", ", peerTimes.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}] s");
        double diff = Math.Abs(loomFinal - peerFinal);
        Console.WriteLine($"final log-likelihood |loom - numpy| = {diff:G3} (relative {diff / Math.Abs(peerFinal):G3})");
        Console.WriteLine();
        Console.WriteLine("| benchmark | Loom (s) | NumPy peer (s) | Loom / peer |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| HMM Baum-Welch, {sequences}x{steps} steps, K={states}, D={dims} diag, {iters} iters | {loomTime:F3} | {peerTime:F3} | "
                + $"{loomTime / peerTime:F2} |"));
        BenchTable.Add(new BenchRow($"HMM Baum-Welch {sequences}x{steps} steps, K={states}, D={dims} diag, {iters} iterations",
            BenchTable.Format($"{loomTime:F3} s"), BenchTable.Format($"{peerTime:F3} s (NumPy {numpy})"), loomTime / peerTime, ""));
        Directory.Delete(dir, recursive: true);
        return diff / Math.Abs(peerFinal) < 1e-6 ? 0 : 1;
    }

    /// <summary>Sequences sampled from a sticky ground-truth HMM with random means.</summary>
    private static List<Tensor> SampleData(int sequences, int steps, int states, int dims, int seed)
    {
        using var g = Seeding.Generator(seed, "hmm-bench-truth");
        var start = full(states, 1.0 / states, dtype: ScalarType.Float64);
        var trans = eye(states, dtype: ScalarType.Float64) * 0.8 + 0.2 / states;
        var means = randn(new long[] { states, dims }, dtype: ScalarType.Float64, generator: g) * 2.0;
        var covars = rand(new long[] { states, dims }, dtype: ScalarType.Float64, generator: g) + 0.5;
        using var truth = HiddenMarkovModel.Gaussian(start, trans, means, covars);
        var samples = (SequenceSamples)truth.Sample(new SampleRequest { Count = sequences, Length = steps, Seed = seed });
        return samples.Observations.ToList();
    }

    private static string InitJson(HiddenMarkovModel init, double minCovar)
    {
        var state = init.GetState();
        var json = new JsonObject
        {
            ["startprob"] = ToJson(state["startprob"]),
            ["transmat"] = ToJson(state["transmat"]),
            ["means"] = ToJson(state["means"]),
            ["covars"] = ToJson(state["covars"]),
            ["min_covar"] = minCovar,
        };
        return json.ToJsonString();
    }

    private static JsonNode ToJson(Tensor t)
    {
        using var c = t.cpu().contiguous();
        var values = c.data<double>().ToArray();
        if (c.dim() == 1)
            return new JsonArray(values.Select(v => (JsonNode)v).ToArray());
        long cols = c.shape[1];
        return new JsonArray(Enumerable.Range(0, (int)c.shape[0])
            .Select(r => (JsonNode)new JsonArray(values.Skip((int)(r * cols)).Take((int)cols).Select(v => (JsonNode)v).ToArray()))
                .ToArray());
    }

    private static (double Final, List<double> Times, string Numpy) RunPeer(string dataPath, string initPath, int iters, int repeats)
    {
        var result = BenchSupport.RunPythonPeer("hmm_numpy.py", dataPath, initPath, iters.ToString(CultureInfo.InvariantCulture),
            repeats.ToString(CultureInfo.InvariantCulture));
        var times = result["times"]!.AsArray().Select(n => n!.GetValue<double>()).ToList();
        return (result["final_loglik"]!.GetValue<double>(), times, result["numpy"]!.GetValue<string>());
    }

    private static double Median(List<double> values) => BenchSupport.Median(values);

    private static int Option(string[] args, string name, int fallback) => BenchSupport.Option(args, name, fallback);
}
