using System.Diagnostics;
using System.Globalization;
using Loom.Core;
using Loom.Models.Language;
using Loom.Models.Transformer;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>lm-train [--steps 2000] [--no-peer] [--precision bfloat16]</c>: nanoGPT's shakespeare-char CPU configuration (4 layers,
/// 4 heads, 128 wide, context 64, batch 12, dropout 0, lr 1e-3 → 1e-4 cosine, warmup 100, AdamW β₂ 0.99, weight decay
/// 0.1, clip 1) trained by Loom on the character-level tinyshakespeare split (first 90% / last 10%), then the same model and schedule in
/// PyTorch (bench/peers/nanogpt_char.py) on the same machine right after. Reports ms/step, tokens/s and val loss. With
/// <c>--precision bfloat16</c> Loom trains in bfloat16 with float32 master weights (<see cref="TrainingPrecision"/>) and
/// reports the loss of the float32 model it saves; the peer then trains under bfloat16 autocast (float32 weights).
/// </summary>
public static class LmTrainBench
{
    public static int Run(string[] args)
    {
        long steps = BenchSupport.Option(args, "--steps", 2000);
        bool peer = !args.Contains("--no-peer");
        long seed = BenchSupport.Option(args, "--seed", 1337);
        TorchRuntime.EnsureLoaded();
        var path = Loom.Data.DataCatalog.Resolve("tinyshakespeare").Path!;
        var text = File.ReadAllText(path);
        var chars = text.Distinct().Order().ToArray();
        var index = chars.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var data = LanguageModelData.FromStream(text.Select(c => index[c]).ToArray());
        var precision = TrainingPrecision.Parse(BenchSupport.StringOption(args, "--precision"));
        var options = new LanguageModelTrainingOptions { Steps = steps, EvalEvery = steps, Seed = seed, Precision = precision };
        Seeding.SeedEverything(seed);
        var config = TransformerConfig.Gpt2(chars.Length, 64, 4, 4, 128);
        if (args.Contains("--nanogpt")) config = config with { Bias = false, ExactGelu = true };   // nanoGPT's defaults
        using var model = new DecoderTransformer(config, seed: seed);
        Console.WriteLine($"lm-train: {model.parameters().Sum(p => p.numel()):N0} parameters, vocab {chars.Length}, torch threads "
            + $"{get_num_threads()}, {Environment.ProcessorCount} cores");
        TrainingPrecision.Lower(model, precision);
        double seconds;
        using (var trainer = LanguageModelTraining.CreateTrainer(model, data, options))
        {
            var clock = Stopwatch.StartNew();
            trainer.Run();
            seconds = clock.Elapsed.TotalSeconds;
            TrainingPrecision.Promote(model, trainer);
        }
        var estimate = LanguageModelTraining.EstimateLoss(model, data, options with { EvalBatches = 200 });
        var (nats, tokens) = LanguageModelTraining.ExactLoss(model, data, true, 64);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loom  {steps} steps in {seconds:F1} s: {seconds / steps * 1000:F1} ms/step, {steps * 12 * 64 / seconds:F0} tokens/s; "
                + $"val loss {estimate["val_loss"]:F4} (200 random batches), {nats / tokens:F4} (whole split, {tokens} tokens); train loss "
                + $"{estimate["train_loss"]:F4}"));
        double msPerStep = seconds / steps * 1000;
        double gflops = TrainFlopsBench.TransformerFlopsPerToken(model, 64) * 12 * 64 / (msPerStep / 1000) / 1e9;
        string limit = precision == ScalarType.Float32 ? BenchTable.OfMatmulPeak(gflops) : BenchTable.OfBfloatMatmulPeak(gflops);
        string what = $"train step, nanoGPT shakespeare-char CPU config (4x128, ctx 64, batch 12), {steps} steps, "
            + TrainingPrecision.Name(precision);
        string loomText = BenchTable.Format($"{msPerStep:F1} ms/step, val loss {nats / tokens:F3}");
        if (peer)
        {
            var json = BenchSupport.RunPythonPeer("nanogpt_char.py", path, steps.ToString(CultureInfo.InvariantCulture), "--dtype",
                TrainingPrecision.Name(precision));
            double peerMs = json["seconds"]!.GetValue<double>() / steps * 1000;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"peer  {steps} steps in {json["seconds"]!.GetValue<double>():F1} "
                    + $"s: {peerMs:F1} ms/step; val loss "
                    + $"{json["val_loss"]!.GetValue<double>():F4} (200 random batches) ({json["versions"]})"));
            string peerText = BenchTable.Format($"{peerMs:F1} ms/step, val loss {json["val_loss"]!.GetValue<double>():F3} (200 batches; ")
                + $"{json["versions"]}" + (precision == ScalarType.Float32 ? ")" : ", bfloat16 autocast)");
            BenchTable.Add(new BenchRow(what, loomText, peerText, msPerStep / peerMs, limit));
        }
        else
            BenchTable.Add(new BenchRow(what, loomText, "—", null, limit));
        return 0;
    }
}
