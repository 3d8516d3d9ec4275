using System.Diagnostics;
using System.Globalization;
using Loom.Core;
using Loom.Models.Language;
using Loom.Models.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Text.Tokenizers;
using Loom.Text.Watermarks;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>watermark [--steps 500] [--windows 2000] [--samples 64] [--seed 1]</c>: the green-list watermark (γ 0.25, δ 2) on
/// character-level tinyshakespeare. Human text: overlapping 200-token windows of the held-out last 10% → the z
/// distribution and the false-positive rate at z &gt; 4. Model text: a char GPT (4 layers, 4 heads, 128 wide, context
/// 224) trained here for a few hundred steps on the first 90% samples 200 tokens after 16-character held-out prompts, with
/// and without the watermark → detection rate, perplexity under the same model, and detection after 10% and 30% of the
/// generated tokens are replaced by random ones. Both seedings.
/// </summary>
public static class WatermarkBench
{
    private const int Tokens = 200, PromptLength = 16, Context = 224;

    public static int Run(string[] args)
    {
        int steps = BenchSupport.Option(args, "--steps", 500);
        int windows = BenchSupport.Option(args, "--windows", 2000);
        int samples = BenchSupport.Option(args, "--samples", 64);
        int seed = BenchSupport.Option(args, "--seed", 1);
        TorchRuntime.EnsureLoaded();
        var clock = Stopwatch.StartNew();
        var text = File.ReadAllText(Loom.Data.DataCatalog.Resolve("tinyshakespeare").Path!);
        var tokenizer = CharTokenizer.Train(text);
        var ids = tokenizer.Encode(text, allowSpecial: false);
        var heldOut = ids[(int)(ids.Length * 0.9)..];
        Console.WriteLine($"watermark: vocabulary {tokenizer.VocabSize} characters, held-out {heldOut.Length:N0} tokens, γ 0.25, δ 2, "
            + $"torch threads {get_num_threads()}");

        var seedings = new[] { WatermarkSeeding.PreviousToken, WatermarkSeeding.SelfHash };
        foreach (var seeding in seedings)
            HumanWindows(heldOut, Options(seeding), tokenizer.VocabSize, windows);

        using var model = Train(ids, tokenizer.VocabSize, steps, seed);
        var generator = new TextGenerator(model, tokenizer, 0);
        var random = new Random(seed);
        var prompts = Enumerable.Range(0, samples)
            .Select(_ => heldOut.AsSpan(random.Next(heldOut.Length - PromptLength), PromptLength).ToArray()).ToList();
        var plain = Generate(generator, prompts, null, seed);
        var (plainNll, entropy) = Score(model, prompts, plain);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model samples ({samples} × {Tokens} tokens): entropy of the "
            + $"model's next-token distribution {entropy:F2} nats/token, perplexity of its own plain samples {Math.Exp(plainNll):F2}"));
        foreach (var seeding in seedings)
        {
            var options = Options(seeding);
            var detector = new WatermarkDetector(options, tokenizer.VocabSize);
            var marked = Generate(generator, prompts, options, seed);
            var (markedNll, _) = Score(model, prompts, marked);
            Report($"{seeding}: plain samples", Detect(detector, prompts, plain));
            Report($"{seeding}: watermarked", Detect(detector, prompts, marked));
            foreach (double fraction in new[] { 0.1, 0.3 })
                Report($"{seeding}: watermarked, {fraction:P0} substituted",
                    Detect(detector, prompts, Substitute(marked, fraction, tokenizer.VocabSize, seed)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{seeding}: perplexity under the model: plain {Math.Exp(plainNll):F2}, watermarked {Math.Exp(markedNll):F2} "
                + $"(+{(Math.Exp(markedNll - plainNll) - 1) * 100:F1}%)"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"watermark: done in {clock.Elapsed.TotalSeconds:F0} s"));
        return 0;
    }

    private static WatermarkOptions Options(WatermarkSeeding seeding) =>
        new() { Key = "loom bench key", Gamma = 0.25, Delta = 2.0, Seeding = seeding };

    /// <summary>z of <paramref name="count"/> evenly spaced (overlapping) windows of human text, each scoring 200 tokens.</summary>
    private static void HumanWindows(int[] heldOut, WatermarkOptions options, int vocab, int count)
    {
        foreach (bool ignoreRepeats in new[] { false, true })
        {
            var detector = new WatermarkDetector(options, vocab) { IgnoreRepeatedNGrams = ignoreRepeats };
            var (z, stride) = WindowZ(detector, heldOut, count);
            Report($"{options.Seeding}: human windows (stride {stride:F0}{(ignoreRepeats ? ", repeats ignored" : "")})", z);
        }
        // Character bigrams are far from uniform, so a key's green lists shift human text's mean z; how far, over other keys.
        var means = Enumerable.Range(1, 8).Select(k =>
        {
            var other = options.Clone();
            other.Key = $"other key {k}";
            return WindowZ(new WatermarkDetector(other, vocab), heldOut, count).Z.Average();
        }).ToList();
        var listed = string.Join(", ", means.Select(m => m.ToString("F2", CultureInfo.InvariantCulture)));
        Console.WriteLine($"{options.Seeding}: human windows' mean z under 8 other keys: {listed}");
    }

    /// <summary>z of each window and the stride between window starts.</summary>
    private static (List<double> Z, double Stride) WindowZ(WatermarkDetector detector, int[] heldOut, int count)
    {
        int length = detector.GreenList.ContextWidth + Tokens;
        double stride = (heldOut.Length - length) / (double)(count - 1);
        var z = Enumerable.Range(0, count)
            .Select(i => detector.Detect(heldOut.AsSpan((int)(i * stride), length).ToArray()).ZScore).ToList();
        return (z, stride);
    }

    private static DecoderTransformer Train(int[] ids, int vocab, int steps, int seed)
    {
        var options = new LanguageModelTrainingOptions
        {
            Steps = steps, EvalEvery = steps, Seed = seed, Context = Context, BatchSize = 4, Warmup = Math.Min(100, steps / 5),
        };
        Seeding.SeedEverything(seed);
        var data = LanguageModelData.FromStream(ids);
        var model = new DecoderTransformer(TransformerConfig.Gpt2(vocab, Context, 4, 4, 128), seed: seed);
        var clock = Stopwatch.StartNew();
        using (var trainer = LanguageModelTraining.CreateTrainer(model, data, options))
            trainer.Run();
        var loss = LanguageModelTraining.EstimateLoss(model, data, options with { EvalBatches = 50 });
        model.eval();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model: char GPT, {steps} steps × 4 × {Context} tokens in "
            + $"{clock.Elapsed.TotalSeconds:F0} s, val loss {loss["val_loss"]:F3} (50 random batches)"));
        return model;
    }

    private static List<int[]> Generate(TextGenerator generator, List<int[]> prompts, WatermarkOptions? watermark, int seed)
    {
        var settings = new GenerationSettings { DoSample = true, MaxNewTokens = Tokens, Seed = seed, Watermark = watermark };
        return generator.Generate(prompts.Select(p => (IReadOnlyList<int>)p).ToList(), settings)
            .Select(o => o.TokenIds.ToArray()).ToList();
    }

    /// <summary>Mean negative log-likelihood per generated token under the model, and the mean entropy of its predictions.</summary>
    private static (double Nll, double Entropy) Score(DecoderTransformer model, List<int[]> prompts, List<int[]> generated)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var rows = prompts.Zip(generated, (p, g) => p.Concat(g).Select(t => (long)t).ToArray()).ToArray();
        var tokens = torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);
        var logp = model.Forward(tokens).log_softmax(-1).narrow(1, PromptLength - 1, Tokens);
        var targets = tokens.narrow(1, PromptLength, Tokens).unsqueeze(-1);
        double nll = -logp.gather(-1, targets).mean().item<float>();
        double entropy = -(logp.exp() * logp).sum(-1).mean().item<float>();
        return (nll, entropy);
    }

    private static List<double> Detect(WatermarkDetector detector, List<int[]> prompts, List<int[]> generated)
    {
        int width = detector.GreenList.ContextWidth;
        return prompts.Zip(generated, (p, g) => detector.Detect([.. p[^width..], .. g]).ZScore).ToList();
    }

    /// <summary>Each sample with round(fraction × 200) positions, chosen at random, replaced by a different random token.</summary>
    private static List<int[]> Substitute(List<int[]> samples, double fraction, int vocab, int seed)
    {
        var random = new Random(seed + (int)(fraction * 1000));
        return samples.Select(s =>
        {
            var copy = (int[])s.Clone();
            int count = (int)Math.Round(fraction * copy.Length);
            foreach (int position in Enumerable.Range(0, copy.Length).OrderBy(_ => random.Next()).Take(count))
            {
                int replacement = random.Next(vocab - 1);
                copy[position] = replacement >= copy[position] ? replacement + 1 : replacement;
            }
            return copy;
        }).ToList();
    }

    private static void Report(string what, List<double> z)
    {
        double mean = z.Average(), sd = Math.Sqrt(z.Sum(v => (v - mean) * (v - mean)) / (z.Count - 1));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: n {z.Count}, z mean {mean:F2}, sd {sd:F2}, "
            + $"min {z.Min():F2}, max {z.Max():F2}, z > 4: {z.Count(v => v > 4)} ({z.Count(v => v > 4) / (double)z.Count:P1})"));
    }
}
