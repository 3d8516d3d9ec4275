using System.Diagnostics;
using System.Text.Json.Nodes;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language.HuggingFace;
using Loom.Models.Transformer;
using TorchSharp;

namespace Loom.Bench;

/// <summary>
/// Peak memory of loading an HF model folder. <c>hf-load --make DIR</c> writes a random Llama-layout folder of about
/// 1 GB of float32 weights (<c>--layers</c> scales it); <c>hf-load DIR</c> loads it through <c>Checkpoint.Load</c> in a
/// fresh process and prints the weights' size, the process's peak resident memory (VmHWM) before and after, and the
/// ratio of the peak to the weights' size (the bar: ≤ 1.3).
/// </summary>
public static class HfLoadBench
{
    public static int Run(string[] args)
    {
        if (BenchSupport.StringOption(args, "--make") is { } target)
            return Make(target, BenchSupport.Option(args, "--layers", 16));
        var folder = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal))
            ?? throw new ArgumentException("usage: hf-load DIR | hf-load --make DIR [--layers 16]");
        long weights = HfWeightFiles.Find(folder).Sum(f => new FileInfo(f).Length);
        long before = PeakResidentBytes();
        var clock = Stopwatch.StartNew();
        if (args.Contains("--phases"))
        {
            var info = HfModelFolder.Inspect(folder);
            using var network = new DecoderTransformer(info.Config);
            Console.WriteLine($"network built: RSS {ResidentBytes() / 1e9:F3} GB, peak {PeakResidentBytes() / 1e9:F3} GB");
            HfWeightFiles.CopyInto(folder, network, network.IsIgnorableKey);
            Console.WriteLine($"weights copied: RSS {ResidentBytes() / 1e9:F3} GB, peak {PeakResidentBytes() / 1e9:F3} GB");
        }
        else
        {
            using var model = Checkpoint.Load(folder);
            Console.WriteLine($"loaded a '{model.Kind}' model in {clock.Elapsed.TotalSeconds:F1} s");
        }
        long peak = PeakResidentBytes();
        Console.WriteLine($"weights {weights / 1e9:F3} GB; peak RSS {before / 1e9:F3} GB before loading, {peak / 1e9:F3} GB after; "
            + $"peak / weights = {(double)peak / weights:F2}");
        return 0;
    }

    private static int Make(string folder, int layers)
    {
        var config = TransformerConfig.Llama(32000, 2048, layers, 16, 8, 1024) with { FfnWidth = 2816 };
        Directory.CreateDirectory(folder);
        using (var model = new DecoderTransformer(config, seed: 1))
        using (var scope = torch.NewDisposeScope())
            SafeTensorsFile.Save(Path.Combine(folder, HfWeightFiles.SingleFile), model.StateByKey(),
                new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(folder, Checkpoint.ConfigFile), HfConfigJson.From(config, 1, [2]).ToJsonString());
        Console.WriteLine($"wrote {folder}: {new FileInfo(Path.Combine(folder, HfWeightFiles.SingleFile)).Length / 1e9:F3} GB of weights");
        return 0;
    }

    private static long PeakResidentBytes() => Status("VmHWM:");

    private static long ResidentBytes() => Status("VmRSS:");

    private static long Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
