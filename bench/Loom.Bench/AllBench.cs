using System.Diagnostics;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>all [--quick] [--only a,b]</c>: every benchmark that has a peer or a machine limit to compare with, one after the
/// other in this process (each peer runs right after Loom, on the same machine), then one table of what they reported
/// (<see cref="BenchTable"/>) headed by the machine's measured limits. <c>--quick</c> shortens the long ones (fewer
/// training steps, one repeat) for a smoke run; the figures in docs/benchmarks.md come from a run without it. A
/// benchmark that fails becomes a row saying so; the others still run.
/// </summary>
public static class AllBench
{
    private sealed record Entry(string Name, Func<string[], int> Run, string[] Args, string[] QuickArgs);

    private static readonly Entry[] Plan =
    {
        new("hmm", HmmBench.Run, [], ["--repeats", "1"]),
        new("gmm", GmmBench.Run, [], ["--n", "20000", "--iters", "20", "--repeats", "1"]),
        new("lm-train", LmTrainBench.Run, ["--steps", "500"], ["--steps", "30"]),
        new("lm-train-bf16", LmTrainBench.Run, ["--steps", "500", "--precision", "bfloat16"], ["--steps", "30", "--precision", "bfloat16"]),
        new("lm-generate", LmGenerateBench.Run, ["--peer", "--paired", "9"], ["--peer", "--tokens", "32", "--paired", "1"]),
        new("train-flops", TrainFlopsBench.Run, [], ["--steps", "2"]),
        new("hf-tokenize", HfTokenizeBench.Run, [], ["--repeats", "1"]),
    };

    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick");
        var only = BenchSupport.StringOption(args, "--only")?.Split(',').ToHashSet(StringComparer.Ordinal);
        Loom.Core.TorchRuntime.EnsureLoaded();
        Console.WriteLine((
            $"machine: {Environment.ProcessorCount} cores, libtorch threads {get_num_threads()}, float32 matmul peak "
                + $"{BenchTable.MatmulGflops:F1} GFLOP/s (best of 1024², 2048², 4096² products), read bandwidth "
                + $"{BenchTable.ReadBandwidthGBs:F1} GB/s "
                + $"(512 MB sum, best of 10)"));
        int failures = 0;
        foreach (var entry in Plan.Where(e => only is null || only.Contains(e.Name)))
        {
            Console.WriteLine();
            Console.WriteLine($"== {entry.Name}");
            var clock = Stopwatch.StartNew();
            try
            {
                int rc = entry.Run(quick ? entry.QuickArgs : entry.Args);
                if (rc != 0)
                {
                    failures++;
                    BenchTable.Add(new BenchRow(entry.Name, $"exit code {rc}", "—", null, ""));
                }
            }
            catch (Exception e)
            {
                failures++;
                BenchTable.Add(new BenchRow(entry.Name, "failed: " + e.Message.Split('\n')[0], "—", null, ""));
            }
            Console.WriteLine(BenchTable.Format($"({entry.Name}: {clock.Elapsed.TotalSeconds:F0} s)"));
        }
        return failures == 0 ? 0 : 1;
    }
}
