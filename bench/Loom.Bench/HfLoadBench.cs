using Loom.Core;
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
/// 1 GB of float32 weights (<c>--layers</c> scales it; <c>--dtype bf16</c> stores bfloat16); <c>hf-load DIR [--dtype D]</c>
/// loads it through <c>Checkpoint.Load</c> computing in D in a fresh process and prints the weights' size, the process's
/// peak resident memory (VmHWM) before and after, and the ratio of the peak to the weights' size (the bar: ≤ 1.3).
/// </summary>
public static class HfLoadBench
{
    public static int Run(string[] args)
    {
        if (BenchSupport.StringOption(args, "--make") is { } target)
            return Make(target, BenchSupport.Option(args, "--layers", 16), Dtype(args));
        var folder = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal))
            ?? throw new ArgumentException("usage: hf-load DIR [--dtype D] | hf-load --make DIR [--layers 16] [--dtype D]");
        var dtype = Dtype(args);
        long weights = HfWeightFiles.Find(folder).Sum(f => new FileInfo(f).Length);
        long before = BenchSupport.PeakResidentBytes();
        var clock = Stopwatch.StartNew();
        if (args.Contains("--phases"))
        {
            var info = HfModelFolder.Inspect(folder);
            using var network = new DecoderTransformer(info.Config, dtype: dtype);
            Console.WriteLine(
                $"network built: RSS {BenchSupport.ResidentBytes() / 1e9:F3} GB, peak {BenchSupport.PeakResidentBytes() / 1e9:F3} GB");
            HfWeightFiles.CopyInto(folder, network, network.IsIgnorableKey);
            Console.WriteLine(
                $"weights copied: RSS {BenchSupport.ResidentBytes() / 1e9:F3} GB, peak {BenchSupport.PeakResidentBytes() / 1e9:F3} GB");
        }
        else
        {
            using var model = Checkpoint.Load(folder, dtype: dtype);
            Console.WriteLine(
                $"loaded a '{model.Kind}' model computing in {ComputeDtype.Name(dtype)} in {clock.Elapsed.TotalSeconds:F1} s");
        }
        long peak = BenchSupport.PeakResidentBytes();
        Console.WriteLine($"weights {weights / 1e9:F3} GB; peak RSS {before / 1e9:F3} GB before loading, {peak / 1e9:F3} GB after; "
            + $"peak / weights = {(double)peak / weights:F2}");
        return 0;
    }

    private static torch.ScalarType Dtype(string[] args) => ComputeDtype.Parse(BenchSupport.StringOption(args, "--dtype"));

    private static int Make(string folder, int layers, torch.ScalarType dtype)
    {
        var config = TransformerConfig.Llama(32000, 2048, layers, 16, 8, 1024) with { FfnWidth = 2816 };
        Directory.CreateDirectory(folder);
        using (var model = new DecoderTransformer(config, seed: 1, dtype: dtype))
        using (var scope = torch.NewDisposeScope())
            SafeTensorsFile.Save(Path.Combine(folder, HfWeightFiles.SingleFile), model.StateByKey(),
                new Dictionary<string, string> { ["format"] = "pt" });
        File.WriteAllText(Path.Combine(folder, Checkpoint.ConfigFile), HfConfigJson.From(config, 1, [2]).ToJsonString());
        Console.WriteLine($"wrote {folder}: {new FileInfo(Path.Combine(folder, HfWeightFiles.SingleFile)).Length / 1e9:F3} GB of weights");
        return 0;
    }
}
