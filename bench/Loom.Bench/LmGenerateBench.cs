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
/// <c>lm-generate [--tokens 256]</c>: generation throughput of the shakespeare-char transformer shape (6 layers, 6 heads,
/// 384 wide, context 256; weights untrained — speed does not depend on them) for batch 1 and 8, with the KV cache and
/// with full recompute every step. Greedy, from a one-token prompt, so every run makes exactly N tokens per row.
/// Recompute processes 1 + 2 + … + N positions where the cache processes N, a predicted (N + 1) / 2 ratio of work
/// in the position-wise layers.
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
        TorchRuntime.EnsureLoaded();
        var text = File.ReadAllText(Loom.Data.DataCatalog.Resolve("tinyshakespeare").Path!);
        var tokenizer = CharTokenizer.Train(text);
        using var model = new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, tokens + 1, 6, 6, 384), seed: 0);
        model.eval();
        Console.WriteLine($"lm-generate: {model.parameters().Sum(p => p.numel()):N0} parameters, {tokens} new tokens per row, torch "
            + $"threads {get_num_threads()}");
        var settings = new GenerationSettings { DoSample = false, MaxNewTokens = tokens };
        foreach (int batch in new[] { 1, 8 })
        {
            var rates = new Dictionary<bool, double>();
            foreach (bool cache in new[] { true, false })
            {
                var generator = new TextGenerator(model, tokenizer, 0) { UseCache = cache };
                var prompts = Enumerable.Repeat("\n", batch).ToList();
                generator.Generate(prompts, WithTokens(settings, 8));   // warm-up
                var clock = Stopwatch.StartNew();
                var outputs = generator.Generate(prompts, settings);
                double seconds = clock.Elapsed.TotalSeconds;
                int made = outputs.Sum(o => o.TokenIds.Count);
                rates[cache] = made / seconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batch {batch}  {(cache ? "kv cache " : "recompute")}  "
                    + $"{made} tokens in {seconds:F2} s = {made / seconds:F1} tokens/s"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"batch {batch}  cache speed-up {rates[true] / rates[false]:F1}× (work ratio (N+1)/2 = {(tokens + 1) / 2.0:F1})"));
        }
        return 0;
    }
}
