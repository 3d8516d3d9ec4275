using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Quantization;
using Loom.Models.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Text.Tokenizers;
using TorchSharp;

namespace Loom.Bench;

/// <summary>
/// <c>quantize --base CKPT [--tokens 63] [--repeats 5] [--big-tokens 128]</c>: a trained shakespeare-char GPT checkpoint
/// (<c>loom train gpt --data tinyshakespeare</c>) against its int8 and 4-bit copies (<see cref="CheckpointQuantization"/>),
/// each in a child process of its own: weights file size, peak RSS once loaded, the exact validation loss over the last
/// 10% of tinyshakespeare (nanoGPT's split), and greedy KV-cache decode tokens/s at batch 1 and 8 (median of the
/// repeats). Then decode only for the larger shakespeare-char shape (6 layers, 6 heads, 384 wide, random weights:
/// speed does not depend on them), quantized in memory.
/// </summary>
public static class QuantizeBench
{
    private static readonly (string Name, QuantizationOptions? Options)[] Variants =
    [
        ("fp32", null), ("int8", new QuantizationOptions { Bits = 8 }),
        ("int4 g64", new QuantizationOptions { Bits = 4, GroupSize = 64 }),
        ("int4 g32", new QuantizationOptions { Bits = 4, GroupSize = 32 }),
    ];

    public static int Run(string[] args)
    {
        TorchRuntime.EnsureLoaded();
        if (BenchSupport.StringOption(args, "--variant") is { } variant)
            return RunVariant(variant, args);
        var baseModel = BenchSupport.StringOption(args, "--base")
            ?? throw new ArgumentException("quantize: --base CKPT (a gpt trained on tinyshakespeare) is required");
        var work = Path.Combine(Path.GetTempPath(), $"loom-quantize-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        var rows = new List<JsonObject>();
        foreach (var (name, options) in Variants)
        {
            var folder = baseModel;
            if (options is not null)
                CheckpointQuantization.Write(baseModel, folder = Path.Combine(work, name.Replace(' ', '-')), options);
            rows.Add(Child(name, folder, args));
            Console.WriteLine(rows[^1].ToJsonString());
        }
        var big = new List<JsonObject>();
        foreach (var (name, _) in Variants)
        {
            big.Add(Child("big " + name, "", args));
            Console.WriteLine(big[^1].ToJsonString());
        }
        double fp32Loss = rows[0]["val_loss"]!.GetValue<double>();
        Console.WriteLine("| variant | weights file | peak RSS after load | val loss | perplexity change | decode b1 | decode b8 |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            double loss = row["val_loss"]!.GetValue<double>();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {row["variant"]} | "
                + $"{row["file_bytes"]!.GetValue<double>() / 1e6:F2} MB | {row["peak_rss_bytes"]!.GetValue<double>() / 1e6:F0} MB | "
                + $"{loss:F4} | {(Math.Exp(loss - fp32Loss) - 1) * 100:+0.00;-0.00}% | {Rate(row, "b1")} | {Rate(row, "b8")} |"));
        }
        Console.WriteLine("| big-shape variant | weights in memory | decode b1 | decode b8 |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var row in big)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {row["variant"]} | "
                + $"{row["weight_bytes"]!.GetValue<double>() / 1e6:F1} MB | {Rate(row, "b1")} | {Rate(row, "b8")} |"));
        Directory.Delete(work, recursive: true);
        return 0;
    }

    private static string Rate(JsonObject row, string key) =>
        string.Create(CultureInfo.InvariantCulture, $"{row[key + "_tokens_per_s"]!.GetValue<double>():F0} tokens/s");

    private static JsonObject Child(string variant, string folder, string[] args)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (!Environment.ProcessPath!.EndsWith("Loom.Bench", StringComparison.Ordinal))
            psi.ArgumentList.Add(typeof(QuantizeBench).Assembly.Location);
        string[] arguments =
        [
            "quantize", "--variant", variant, "--folder", folder,
            "--tokens", BenchSupport.Option(args, "--tokens", 63).ToString(CultureInfo.InvariantCulture),
            "--big-tokens", BenchSupport.Option(args, "--big-tokens", 128).ToString(CultureInfo.InvariantCulture),
            "--repeats", BenchSupport.Option(args, "--repeats", 5).ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the variant");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"variant {variant} failed ({process.ExitCode}): {stderr.Trim()}");
        return JsonNode.Parse(stdout.Result.Trim().Split('\n')[^1])!.AsObject();
    }

    /// <summary>The child: load (or, for the big shape, build and quantize), measure, print one JSON line.</summary>
    private static int RunVariant(string variant, string[] args)
    {
        int repeats = BenchSupport.Option(args, "--repeats", 5);
        var json = new JsonObject { ["variant"] = variant };
        if (variant.StartsWith("big ", StringComparison.Ordinal))
        {
            var text = File.ReadAllText(Loom.Data.DataCatalog.Resolve("tinyshakespeare").Path!);
            var tokenizer = CharTokenizer.Train(text);
            int tokens = BenchSupport.Option(args, "--big-tokens", 128);
            using var network = new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, tokens + 1, 6, 6, 384), seed: 0);
            var options = Variants.Single(v => "big " + v.Name == variant).Options;
            if (options is not null) LayerQuantization.Quantize(network, options);
            network.eval();
            json["weight_bytes"] = network.parameters().Sum(p => p.numel() * p.element_size());
            Decode(json, new TextGenerator(network, tokenizer, 0), tokens, repeats);
        }
        else
        {
            var folder = BenchSupport.StringOption(args, "--folder")!;
            json["file_bytes"] = new FileInfo(Path.Combine(folder, Checkpoint.ModelFile)).Length;
            json["rss_before_load_bytes"] = BenchSupport.ResidentBytes();
            using var model = (NeuralLanguageModel)Checkpoint.Load(folder);
            json["peak_rss_bytes"] = BenchSupport.PeakResidentBytes();
            var text = File.ReadAllText(Loom.Data.DataCatalog.Resolve("tinyshakespeare").Path!);
            var report = model.ScoreContent(text[(int)(text.Length * 0.9)..]);
            json["val_loss"] = report.NllPerUnit;
            json["val_tokens"] = report.Units;
            int tokens = Math.Min(BenchSupport.Option(args, "--tokens", 63), model.Causal.MaxSequenceLength - 1);
            Decode(json, model.CreateGenerator(), tokens, repeats);
        }
        Console.WriteLine(json.ToJsonString());
        return 0;
    }

    private static void Decode(JsonObject json, TextGenerator generator, int tokens, int repeats)
    {
        var settings = new GenerationSettings { DoSample = false, MaxNewTokens = tokens };
        foreach (int batch in new[] { 1, 8 })
        {
            var prompts = Enumerable.Repeat("\n", batch).ToList();
            generator.Generate(prompts, new GenerationSettings { DoSample = false, MaxNewTokens = 4 });   // warm-up
            var rates = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                var outputs = generator.Generate(prompts, settings);
                rates.Add(outputs.Sum(o => o.TokenIds.Count) / clock.Elapsed.TotalSeconds);
            }
            json[$"b{batch}_tokens_per_s"] = BenchSupport.Median(rates);
        }
    }
}
