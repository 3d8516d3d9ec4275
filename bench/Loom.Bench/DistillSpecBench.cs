using System.Diagnostics;
using System.Globalization;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Language;
using Loom.Models.Language.Distillation;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Bench;

/// <summary>
/// <c>distill-spec [--teacher-steps 300] [--student-steps 200] [--width 64] [--student-width 32] [--threads N] [--teacher CKPT]
/// [--new-tokens 56] [--prompts 8]</c>: a 6-layer shakespeare-char GPT teacher (4 heads, 64 wide, context 64; far smaller
/// than nanoGPT's 6×384 so it trains on a shared 2-core machine), then a 4-layer student half as wide trained for the same
/// steps twice — distilled from the teacher (α 0.5,
/// T 2) and on the data alone — with the exact validation loss, KL to the teacher and ms/step of each. Then speculative
/// decoding at batch 1 with each student as the draft against the teacher alone: tokens/s, acceptance rate and whether the
/// greedy text is the teacher's own, greedy and sampled (temperature 1), over <c>--prompts</c> prompts from the
/// validation text.
/// </summary>
public static class DistillSpecBench
{
    public static int Run(string[] args)
    {
        TorchRuntime.EnsureLoaded();
        int teacherSteps = BenchSupport.Option(args, "--teacher-steps", 300);
        int studentSteps = BenchSupport.Option(args, "--student-steps", 200);
        int width = BenchSupport.Option(args, "--width", 64), studentWidth = BenchSupport.Option(args, "--student-width", 32);
        if (BenchSupport.Option(args, "--threads", 0) is > 0 and var threads)
            torch.set_num_threads(threads);
        int newTokens = BenchSupport.Option(args, "--new-tokens", 56);
        int promptCount = BenchSupport.Option(args, "--prompts", 8);
        var work = Path.Combine(Path.GetTempPath(), $"loom-distill-spec-{Environment.ProcessId}");
        Directory.CreateDirectory(work);
        Console.WriteLine($"distill-spec: torch threads {torch.get_num_threads()}, work folder {work}");
        var teacherFolder = BenchSupport.StringOption(args, "--teacher") ?? Train("teacher", new LanguageModelRecipe
        {
            Data = "tinyshakespeare", Steps = teacherSteps, Layers = 6, Heads = 4, Width = width, EvalEvery = teacherSteps,
        }, work);
        var student = new LanguageModelRecipe
        {
            Data = "tinyshakespeare", Steps = studentSteps, Layers = 4, Heads = 2, Width = studentWidth, EvalEvery = studentSteps,
        };
        var distilled = Train("distilled", student with { Teacher = teacherFolder, DistillAlpha = 0.5, DistillTemperature = 2.0 }, work);
        var dataOnly = Train("data-only", student, work);

        using var teacher = (NeuralLanguageModel)Checkpoint.Load(teacherFolder);
        var text = TextFile.Read(DataCatalog.Resolve("tinyshakespeare").Path);
        var (corpus, _) = LanguageModelCorpus.Prepare(text, teacher.Tokenizer, lines: false, seed: 0);
        Console.WriteLine("| model | steps | val loss (exact) | KL to teacher (val) | ms/step |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine(ModelRow("teacher", teacherFolder, teacherSteps, null));
        foreach (var folder in new[] { distilled, dataOnly })
        {
            using var model = (NeuralLanguageModel)Checkpoint.Load(folder);
            double kl = DistillationLoss.ExactKl(model.Network, teacher.Causal, corpus, true, 64);
            Console.WriteLine(ModelRow(Path.GetFileName(folder), folder, studentSteps, kl));
        }

        int start = (int)(text.Length * 0.9);
        var prompts = Enumerable.Range(0, promptCount).Select(i => text.Substring(start + i * 997, 8)).ToList();
        Console.WriteLine($"\nspeculative decoding, batch 1: {prompts.Count} prompts of 8 characters, {newTokens} new tokens each");
        Console.WriteLine("| decoding | draft | draft tokens | tokens/s | speed-up | acceptance | same text as the teacher alone |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (bool sample in new[] { false, true })
        {
            var settings = new GenerationSettings { DoSample = sample, MaxNewTokens = newTokens, Seed = 1 };
            var plain = teacher.CreateGenerator();
            var (baseline, baseRate, _) = Decode(plain, prompts, settings);
            string mode = sample ? "sampling, T 1" : "greedy";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {mode} | — (teacher alone) | — | {baseRate:F1} | 1.00× | — | — |"));
            foreach (var folder in new[] { distilled, dataOnly })
            {
                using var draftModel = (NeuralLanguageModel)Checkpoint.Load(folder);
                foreach (int k in new[] { 2, 4, 6 })
                {
                    var generator = plain.WithDraft(new SpeculativeDraft(draftModel.Causal, k, draftModel.Tokenizer));
                    var (outputs, rate, acceptance) = Decode(generator, prompts, settings);
                    bool same = outputs.Zip(baseline).All(p => p.First.TokenIds.SequenceEqual(p.Second.TokenIds));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {mode} | {Path.GetFileName(folder)} | {k} | {rate:F1} | {rate / baseRate:F2}× | {acceptance:P1} | "
                        + $"{(sample ? "n/a (sampled)" : same ? "yes" : "NO")} |"));
                }
            }
        }
        Directory.Delete(work, recursive: true);
        return 0;
    }

    private static string Train(string name, LanguageModelRecipe recipe, string work)
    {
        var folder = Path.Combine(work, name);
        var clock = Stopwatch.StartNew();
        using (ModelRegistry.Trainable("gpt").Train(RecipeJson.ToJson(recipe), new TrainingContext { OutputFolder = folder })) { }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained {name} in {clock.Elapsed.TotalSeconds:F1} s"));
        return folder;
    }

    private static string ModelRow(string name, string folder, int steps, double? kl)
    {
        var metrics = CheckpointCard(folder);
        double seconds = metrics["train_seconds"];
        return string.Create(CultureInfo.InvariantCulture, $"| {name} ({metrics["parameters"]:N0} parameters) | {steps} | "
            + $"{metrics["val_loss"]:F4} | {(kl is { } k ? k.ToString("F4", CultureInfo.InvariantCulture) : "—")} | "
            + $"{seconds * 1000 / steps:F0} |");
    }

    private static Dictionary<string, double> CheckpointCard(string folder)
    {
        var card = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, Checkpoint.CardFile)))!;
        return card["metrics"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());
    }

    /// <summary>Each prompt on its own (batch 1), after one warm-up; tokens/s over all, and the overall acceptance rate.</summary>
    private static (IReadOnlyList<GenerationOutput> Outputs, double TokensPerSecond, double Acceptance) Decode(TextGenerator generator,
        IReadOnlyList<string> prompts, GenerationSettings settings)
    {
        var warmup = settings.Clone();
        warmup.MaxNewTokens = 4;
        generator.Generate([prompts[0]], warmup);
        var outputs = new List<GenerationOutput>();
        var clock = Stopwatch.StartNew();
        foreach (var prompt in prompts)
            outputs.Add(generator.Generate([prompt], settings)[0]);
        double seconds = clock.Elapsed.TotalSeconds;
        long drafted = outputs.Sum(o => o.Speculation?.Drafted ?? 0), accepted = outputs.Sum(o => o.Speculation?.Accepted ?? 0);
        return (outputs, outputs.Sum(o => o.TokenIds.Count) / seconds, drafted == 0 ? 0 : (double)accepted / drafted);
    }
}
