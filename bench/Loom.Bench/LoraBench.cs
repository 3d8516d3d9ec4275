using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models.Adapters;
using Loom.Models.Language;
using Loom.Models.Transformer;
using Loom.Text.Tokenizers;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Bench;

/// <summary>
/// <c>lora [--pretrain-steps 1000] [--steps 300] [--base CKPT]</c>: a shakespeare-char GPT (nanoGPT's CPU shape, 4 layers,
/// 4 heads, 128 wide, context 64; its character vocabulary also covers the KJV's characters) is pretrained on
/// tinyshakespeare, then fine-tuned on the King James Bible for the same number of steps with LoRA ranks 4, 8 and 16
/// (α = 2r, on c_attn, attn.c_proj, c_fc and mlp.c_proj) and fully, each in a child process of its own so its peak memory
/// is its own. Reports the exact KJV validation loss (the last 10% of the first <c>--kjv-chars</c> characters, 1,000,000 by
/// default), trainable parameters, seconds and peak RSS.
/// </summary>
public static class LoraBench
{
    private const string Targets = "c_attn,c_proj,c_fc";

    public static int Run(string[] args)
    {
        TorchRuntime.EnsureLoaded();
        if (BenchSupport.StringOption(args, "--variant") is { } variant)
            return RunVariant(variant, args);
        int pretrainSteps = BenchSupport.Option(args, "--pretrain-steps", 1000);
        int steps = BenchSupport.Option(args, "--steps", 300);
        var work = Path.Combine(Path.GetTempPath(), $"loom-lora-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        var kjv = KjvHead(work, BenchSupport.Option(args, "--kjv-chars", 1_000_000));
        var baseModel = BenchSupport.StringOption(args, "--base") ?? Pretrain(work, pretrainSteps);
        var rows = new List<JsonObject>();
        foreach (var name in new[] { "lora-4", "lora-8", "lora-16", "full" })
        {
            var row = Child(name, baseModel, kjv, steps, Path.Combine(work, name));
            rows.Add(row);
            Console.WriteLine(row.ToJsonString());
        }
        Console.WriteLine($"| KJV fine-tuning, {steps} steps | trainable parameters | KJV val loss | time | peak RSS |");
        Console.WriteLine("|---|---|---|---|---|");
        var first = rows[0];
        Console.WriteLine(Row("no tuning (shakespeare base)", 0, first["val_loss_before"]!.GetValue<double>(), null, null, steps));
        foreach (var row in rows)
            Console.WriteLine(Row(row["variant"]!.GetValue<string>(), row["trainable_parameters"]!.GetValue<double>(),
                row["val_loss"]!.GetValue<double>(), row["train_seconds"]!.GetValue<double>(), row["peak_rss_bytes"]!.GetValue<double>(),
                steps));
        Directory.Delete(work, recursive: true);
        return 0;
    }

    private static string Row(string name, double trainable, double loss, double? seconds, double? peak, int steps) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {trainable:N0} | {loss:F4} | "
            + $"{(seconds is { } s ? $"{s:F1} s ({s * 1000 / steps:F0} ms/step)" : "—")} | "
            + $"{(peak is { } p ? $"{p / 1e6:F0} MB" : "—")} |");

    /// <summary>The first <paramref name="characters"/> characters of the KJV (whole lines), so the exact validation loss of
    /// each run fits a CPU budget.</summary>
    private static string KjvHead(string work, int characters)
    {
        var text = File.ReadAllText(Loom.Data.DataCatalog.Resolve("kjv").Path);
        if (characters < text.Length)
            text = text[..(text.LastIndexOf('\n', characters) + 1)];
        var path = Path.Combine(work, "kjv-head.txt");
        File.WriteAllText(path, text);
        Console.WriteLine($"KJV: the first {text.Length:N0} characters (90% train, last 10% validation)");
        return path;
    }

    /// <summary>Pretrains the shakespeare-char base and saves it as a checkpoint; returns its folder.</summary>
    private static string Pretrain(string work, int steps)
    {
        var shakespeare = File.ReadAllText(Loom.Data.DataCatalog.Resolve("tinyshakespeare").Path);
        var fullKjv = File.ReadAllText(Loom.Data.DataCatalog.Resolve("kjv").Path);
        var chars = (shakespeare + fullKjv).Select(c => c.ToString()).Distinct().Order(StringComparer.Ordinal)
            .ToList();
        var tokenizer = new CharTokenizer(chars);
        var data = LanguageModelData.FromStream(tokenizer.Encode(shakespeare));
        Seeding.SeedEverything(1337);
        var network = new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, 64, 4, 4, 128), seed: 1337);
        var options = new LanguageModelTrainingOptions { Steps = steps, EvalEvery = steps, Seed = 1337 };
        var clock = Stopwatch.StartNew();
        using (var trainer = LanguageModelTraining.CreateTrainer(network, data, options))
            trainer.Run();
        var (nats, tokens) = LanguageModelTraining.ExactLoss(network, data, true, 64);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pretrained on tinyshakespeare: {steps} steps in {clock.Elapsed.TotalSeconds:F1} s, "
                + $"shakespeare val loss {nats / tokens:F4}, "
                + $"vocabulary {tokenizer.VocabSize}"));
        var folder = Path.Combine(work, "base");
        using var model = new NeuralLanguageModel("gpt", network, tokenizer, SequenceLayout.Stream, tokenizer.Encode("\n")[0]);
        Checkpoint.Save(folder, model, new ModelCard { Kind = "gpt", Seed = 1337 });
        return folder;
    }

    /// <summary>Runs one variant in a child process of this benchmark and returns its JSON line.</summary>
    private static JsonObject Child(string variant, string baseModel, string kjv, int steps, string output)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        var self = typeof(LoraBench).Assembly.Location;
        if (!Environment.ProcessPath!.EndsWith("Loom.Bench", StringComparison.Ordinal)) psi.ArgumentList.Add(self);
        string[] arguments =
        [
            "lora", "--variant", variant, "--base", baseModel, "--kjv", kjv, "--steps", steps.ToString(CultureInfo.InvariantCulture),
            "--out", output,
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

    /// <summary>The child: one fine-tuning run through the library, then its metrics and peak RSS as one JSON line.</summary>
    private static int RunVariant(string variant, string[] args)
    {
        bool full = variant == "full";
        int rank = full ? 8 : int.Parse(variant["lora-".Length..], CultureInfo.InvariantCulture);
        var recipe = new FineTuneRecipe
        {
            Base = BenchSupport.StringOption(args, "--base"), Data = BenchSupport.StringOption(args, "--kjv"), Full = full,
            LoraRank = rank, LoraAlpha = 2 * rank, TargetModules = Targets, Steps = BenchSupport.Option(args, "--steps", 300),
            BatchSize = 12, Context = 64, Warmup = 20, EvalEvery = 0, Seed = 1,
        };
        var outcome = FineTuning.Run(recipe, new TrainingContext { OutputFolder = BenchSupport.StringOption(args, "--out")! });
        var json = new JsonObject { ["variant"] = variant, ["peak_rss_bytes"] = BenchSupport.PeakResidentBytes() };
        foreach (var (key, value) in outcome.Metrics) json[key] = value;
        Console.WriteLine(json.ToJsonString());
        return 0;
    }
}
