using System.Diagnostics;
using System.Globalization;
using Loom.Core;
using Loom.Models.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>lm-generate [--tokens 255] [--batches 1,8,32] [--repeats 3] [--no-recompute] [--peer] [--paired N]</c>: generation
/// throughput of the shakespeare-char transformer shape (6 layers, 6 heads, 384 wide, context 256; weights untrained —
/// speed does not depend on them) for batch 1, 8 and 32 with the KV cache and for batch 1 and 8 with full recompute every step;
/// <c>--peer</c> runs the same shape in PyTorch (bench/peers/nanogpt_generate.py: nanoGPT's generate and a KV-cache
/// loop) right after. Greedy, from a one-token prompt, so every run makes exactly N tokens per row.
/// Recompute processes 1 + 2 + … + N positions where the cache processes N, a predicted (N + 1) / 2 ratio of work
/// in the position-wise layers. The KV-cache rate of each batch size is the best of <c>--repeats</c> runs in the process
/// (each printed), after the warm-up and, at batch 1, the first fused run. <c>--paired N</c> adds N batch-1 runs, each
/// right after measuring the machine's ceilings (<see cref="PairedDecodeRounds"/>).
/// </summary>
public static class LmGenerateBench
{
    private static GenerationSettings WithTokens(GenerationSettings settings, int tokens)
    {
        var copy = settings.Clone();
        copy.MaxNewTokens = tokens;
        return copy;
    }

    public static int Run(string[] args)
    {
        int tokens = BenchSupport.Option(args, "--tokens", 255);
        int repeats = BenchSupport.Option(args, "--repeats", 3);   // KV-cache runs per batch size; the table takes the best
        TorchRuntime.EnsureLoaded();
        var text = File.ReadAllText(Loom.Data.DataCatalog.Resolve("tinyshakespeare").Path!);
        var tokenizer = CharTokenizer.Train(text);
        using var model = new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, tokens + 1, 6, 6, 384), seed: 0);
        model.eval();
        Console.WriteLine($"lm-generate: {model.parameters().Sum(p => p.numel()):N0} parameters, {tokens} new tokens per row, torch "
            + $"threads {get_num_threads()}");
        var settings = new GenerationSettings { DoSample = false, MaxNewTokens = tokens };
        var cached = new Dictionary<int, double>();
        var batches = (BenchSupport.StringOption(args, "--batches") ?? "1,8,32").Split(',').Select(int.Parse).ToArray();
        foreach (int batch in batches)
        {
            if (batch == 1)
            {
                // The same run through libtorch's kernels, for the fused step's gain (DecoderTransformer.FusedCpuDecode).
                model.FusedCpuDecode = false;
                double libtorch = Rate(model, tokenizer, settings, 1, cache: true, "kv cache, libtorch step");
                model.FusedCpuDecode = true;
                double fused = Rate(model, tokenizer, settings, 1, cache: true, "kv cache, fused step");
                BenchTable.Add(new BenchRow($"greedy decode batch 1, {tokens} tokens: fused CPU step vs libtorch modules",
                    BenchTable.Format($"{fused:F0} tokens/s"), BenchTable.Format($"{libtorch:F0} tokens/s (Loom, libtorch modules)"),
                    libtorch / fused, ""));
            }
            var rates = new Dictionary<bool, double>();
            foreach (bool cache in batch > 8 || args.Contains("--no-recompute") ? new[] { true } : new[] { true, false })
                rates[cache] = Enumerable.Range(0, cache ? repeats : 1)
                    .Max(_ => Rate(model, tokenizer, settings, batch, cache, cache ? "kv cache " : "recompute"));
            cached[batch] = rates[true];
            if (rates.ContainsKey(false))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"batch {batch}  cache speed-up {rates[true] / rates[false]:F1}× (work ratio (N+1)/2 = {(tokens + 1) / 2.0:F1})"));
        }
        ReportRows(model, tokens, cached, args.Contains("--peer"));
        if (BenchSupport.Option(args, "--paired", 0) is int rounds and > 0)
            PairedDecodeRounds.Run(model, () => Rate(model, tokenizer, settings, 1, cache: true, "kv cache, paired"), rounds,
                model.parameters().Sum(p => p.numel()) * 4.0, tokens);
        return 0;
    }

    /// <summary>Tokens/s of greedy decoding <paramref name="batch"/> rows after an 8-token warm-up.</summary>
    private static double Rate(DecoderTransformer model, CharTokenizer tokenizer, GenerationSettings settings, int batch, bool cache,
        string label)
    {
        var generator = new TextGenerator(model, tokenizer, 0) { UseCache = cache };
        var prompts = Enumerable.Repeat("\n", batch).ToList();
        generator.Generate(prompts, WithTokens(settings, 8));   // warm-up
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var outputs = generator.Generate(prompts, settings);
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        int made = outputs.Sum(o => o.TokenIds.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {batch}  {label}  "
            + $"{made} tokens in {seconds:F2} s = {made / seconds:F1} tokens/s (process CPU {cpuSeconds / made * 1000:F2} ms/token)"));
        return made / seconds;
    }

    /// <summary>Summary rows: KV-cache decode per batch size beside PyTorch's (bench/peers/nanogpt_generate.py, same shape) and,
    /// at batch 1, the share of the bound set by reading every float32 weight once per token at the measured bandwidth.</summary>
    private static void ReportRows(DecoderTransformer model, int tokens, Dictionary<int, double> cached, bool peer)
    {
        double weightBytes = model.parameters().Sum(p => p.numel()) * 4.0;
        var json = peer
            ? BenchSupport.RunPythonPeer("nanogpt_generate.py", tokens.ToString(CultureInfo.InvariantCulture),
                string.Join(",", cached.Keys))
            : null;
        if (json is not null)
            Console.WriteLine(($"peer ({json["versions"]}, {json["threads"]} threads): nanoGPT generate (no cache) batch 1 "
                + $"{json["nanogpt_generate"]!["1"]!.GetValue<double>():F1} tokens/s; KV cache "
                + $"{string.Join(", ", cached.Keys.Select(b => BenchTable.Format($"batch {b} {PeerRate(json, b):F1}")))} tokens/s"));
        foreach (var (batch, rate) in cached)
        {
            double? peerRate = json is null ? null : PeerRate(json, batch);
            BenchTable.Add(new BenchRow($"greedy decode, shakespeare-char shape 6x384, KV cache, batch {batch}, {tokens} tokens",
                BenchTable.Format($"{rate:F0} tokens/s"),
                peerRate is double r ? BenchTable.Format($"{r:F0} tokens/s (PyTorch, KV cache; {json!["versions"]})") : "—",
                peerRate is double q ? q / rate : null,
                batch == 1 ? BenchTable.OfBandwidthBound(rate, weightBytes) : ""));
        }
        if (json is not null && cached.ContainsKey(1))
        {
            double nano = json["nanogpt_generate"]!["1"]!.GetValue<double>();
            BenchTable.Add(new BenchRow($"greedy decode, batch 1, {tokens} tokens: Loom KV cache vs nanoGPT's generate (no cache)",
                BenchTable.Format($"{cached[1]:F0} tokens/s"), BenchTable.Format($"{nano:F0} tokens/s"), nano / cached[1], ""));
        }
    }

    private static double PeerRate(System.Text.Json.Nodes.JsonObject json, int batch) =>
        json["kv_cache"]![batch.ToString(CultureInfo.InvariantCulture)]!.GetValue<double>();
}
