using System.Diagnostics;
using System.Globalization;
using Loom.Core;
using Loom.Models.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Serving;
using Loom.Text.Tokenizers;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>batch-decode [--requests 64] [--tokens 128]</c>: aggregate decoding throughput of the continuous-batching engine
/// on the shakespeare-char transformer shape (6 layers, 6 heads, 384 wide, context 256; weights untrained — speed does
/// not depend on them). The same K greedy requests (prompts of 8 to 64 characters of Shakespeare, N new tokens each,
/// no EOS, so every request makes exactly N) run one at a time, then all at once; both through the same engine.
/// </summary>
public static class BatchDecodeBench
{
    public static int Run(string[] args)
    {
        int requests = BenchSupport.Option(args, "--requests", 64);
        int tokens = BenchSupport.Option(args, "--tokens", 128);
        TorchRuntime.EnsureLoaded();
        var text = File.ReadAllText(Loom.Data.DataCatalog.Resolve("tinyshakespeare").Path!);
        var tokenizer = CharTokenizer.Train(text);
        using var model = new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, 256, 6, 6, 384), seed: 0);
        model.eval();
        var prompts = Enumerable.Range(0, requests).Select(i => tokenizer.Encode(text.Substring(i * 997 % (text.Length - 64),
            8 + i * 7 % 57))).ToList();
        var settings = new GenerationSettings { DoSample = false, MaxNewTokens = tokens };
        using var engine = new ContinuousBatchingEngine(model, tokenizer, 0,
            new ContinuousBatchingOptions { MaxBatchSize = requests, QueueLimit = requests });
        Console.WriteLine($"batch-decode: {model.parameters().Sum(p => p.numel()):N0} parameters, {requests} requests × {tokens} new "
            + $"tokens, prompts {prompts.Min(p => p.Length)}–{prompts.Max(p => p.Length)} tokens, torch threads {get_num_threads()}");
        Complete(engine, prompts.Take(2).ToList(), settings);   // warm-up

        var clock = Stopwatch.StartNew();
        int alone = prompts.Sum(p => Complete(engine, [p], settings));
        double aloneSeconds = clock.Elapsed.TotalSeconds;
        Report("one at a time", alone, aloneSeconds);

        clock.Restart();
        int batched = Complete(engine, prompts, settings);
        double batchedSeconds = clock.Elapsed.TotalSeconds;
        Report("all at once  ", batched, batchedSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"continuous batching speed-up {batched / batchedSeconds / (alone / aloneSeconds):F1}×"));
        return 0;
    }

    /// <summary>Runs <paramref name="prompts"/> concurrently through <paramref name="engine"/>; returns the tokens made.</summary>
    private static int Complete(ContinuousBatchingEngine engine, IReadOnlyList<int[]> prompts, GenerationSettings settings)
    {
        var runs = prompts.Select(async prompt =>
        {
            int made = 0;
            await foreach (var update in engine.CompleteAsync(new CompletionRequest(prompt, settings)).ConfigureAwait(false))
                made = update.CompletionTokens;
            return made;
        }).ToList();
        return Task.WhenAll(runs).GetAwaiter().GetResult().Sum();
    }

    private static void Report(string label, int made, double seconds) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}  {made} tokens in {seconds:F2} s = {made / seconds:F1} tokens/s"));
}
