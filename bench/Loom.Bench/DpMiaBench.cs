using System.Diagnostics;
using System.Globalization;
using Loom.Data;
using Loom.Evaluation.Memorization;
using Loom.Models;
using Loom.Models.Language;
using Loom.Models.Latent;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// Membership inference on models small training sets let memorize, trained as usual and with DP-SGD (δ 1e-5, clip 1).
/// <c>dp-mia [--names 2000] [--steps 2000] [--batch 256] [--epsilons 8,1] [--no-reference]</c>: a char GPT (2 layers, 4 heads,
/// width 64, lr 3e-3, seed 0) on a member file of n shuffled names (its run trains on 90% of them, the rest validate);
/// the attack (<see cref="TextMembershipInference"/>) scores the training lines against as many unseen names, also
/// calibrated by a reference GPT trained non-privately on n other names.
/// <c>dp-mia-vae [--images 300] [--steps 3000] [--batch 64] [--hidden 256] [--epsilons 8,1]</c>: an MLP VAE (Bernoulli
/// likelihood, latent 16) on the first n Fashion-MNIST training trousers (<c>TrainLimit</c>), attacked with the mean
/// −ELBO over 8 latent draws on those n against the first n test trousers.
/// </summary>
public static class DpMiaBench
{
    public static int RunText(string[] args)
    {
        int n = BenchSupport.Option(args, "--names", 2000);
        int steps = BenchSupport.Option(args, "--steps", 2000);
        int batch = BenchSupport.Option(args, "--batch", 256);
        var epsilons = Epsilons(args);
        var all = TextFile.Read(DataCatalog.Resolve("names").Path).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)
            .Distinct().ToArray();
        new Random(0).Shuffle(all);
        if (all.Length < 3 * n)
            throw new InvalidOperationException($"names has {all.Length} distinct names; --names {n} needs {3 * n}");
        var folder = Path.Combine(Path.GetTempPath(), $"loom-dp-mia-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        var memberFile = Path.Combine(folder, "members.txt");
        var referenceFile = Path.Combine(folder, "reference.txt");
        File.WriteAllText(memberFile, string.Join('\n', all[..n]) + "\n");
        File.WriteAllText(referenceFile, string.Join('\n', all[n..(2 * n)]) + "\n");
        Console.WriteLine($"dp-mia: char GPT, 2 layers, width 64, {steps} steps, batch {batch}, member file of {n} names");
        using var reference = args.Contains("--no-reference")
            ? null
            : TrainGpt(referenceFile, null, steps, batch, folder, "reference").Model;
        foreach (double? epsilon in new double?[] { null }.Concat(epsilons.Select(e => (double?)e)))
        {
            string name = epsilon is null ? "plain" : $"dp{epsilon}";
            var (model, metrics, seconds) = TrainGpt(memberFile, epsilon, steps, batch, folder, name);
            using (model)
            {
                var members = TextMembershipInference.TrainingLines(model, TextFile.Read(memberFile), seed: 0);
                var nonMembers = all[(2 * n)..(2 * n + members.Count)];
                var attack = TextMembershipInference.Attack(model, members, nonMembers);
                var calibrated = reference is null ? null : TextMembershipInference.Attack(model, members, nonMembers, reference);
                var card = Loom.IO.Checkpoints.Checkpoint.ReadCard(Path.Combine(folder, name)).Privacy;
                string privacy = card is null ? "non-private" : string.Create(CultureInfo.InvariantCulture,
                    $"ε {card.Epsilon:F2} σ {card.NoiseMultiplier:F3}");
                string losses = string.Create(CultureInfo.InvariantCulture,
                    $"val loss {metrics["val_loss"]:F3}  member loss {attack.MeanMemberLoss:F3}  non-member {attack.MeanNonMemberLoss:F3}");
                string mia = Mia(attack);
                string calibratedText = calibrated is null ? "" : string.Create(CultureInfo.InvariantCulture,
                    $"  calibrated AUROC {calibrated.Auroc:F3}  TPR@1%FPR {calibrated.TprAtLowFpr:F3}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{privacy,-20} {losses}  {mia}{calibratedText}  ({members.Count} vs {nonMembers.Length})  train {seconds:F0} s"));
            }
        }
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static (NeuralLanguageModel Model, IReadOnlyDictionary<string, double> Metrics, double Seconds) TrainGpt(string data,
        double? epsilon, int steps, int batch, string folder, string name)
    {
        var recipe = new LanguageModelRecipe
        {
            Data = data, Layout = "lines", Steps = steps, BatchSize = batch, Layers = 2, Heads = 4, Width = 64, EvalEvery = 0,
            Seed = 0, LearningRate = 3e-3, DpEpsilon = epsilon, DpClip = epsilon is null ? null : 1.0,
        };
        var clock = Stopwatch.StartNew();
        var context = new TrainingContext { OutputFolder = Path.Combine(folder, name), Overwrite = true };
        var outcome = ModelRegistry.Trainable("gpt").Train(RecipeJson.ToJson(recipe), context);
        return ((NeuralLanguageModel)outcome.Model, outcome.Metrics, clock.Elapsed.TotalSeconds);
    }

    public static int RunVae(string[] args)
    {
        int n = BenchSupport.Option(args, "--images", 300);
        int steps = BenchSupport.Option(args, "--steps", 3000);
        int batch = BenchSupport.Option(args, "--batch", 64);
        int hidden = BenchSupport.Option(args, "--hidden", 256);
        var epsilons = Epsilons(args);
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var members = DpVaeBench.Pick(train, [1], n);
        using var nonMembers = DpVaeBench.Pick(test, [1], n);
        var folder = Path.Combine(Path.GetTempPath(), $"loom-dp-mia-vae-{Environment.ProcessId}");
        Console.WriteLine($"dp-mia-vae: MLP VAE (bernoulli, hidden {hidden}, latent 16), {steps} steps, batch {batch}; "
            + $"{members.shape[0]} member vs {nonMembers.shape[0]} non-member trousers");
        foreach (double? epsilon in new double?[] { null }.Concat(epsilons.Select(e => (double?)e)))
        {
            var recipe = new VaeRecipe
            {
                Data = FashionMnist.Name, Classes = "1", TrainLimit = n, Hidden = hidden, LatentDim = 16, Steps = steps, BatchSize = batch,
                Seed = 0,
                EvalK = 0, EvalN = n, CheckpointEvery = 0, DpEpsilon = epsilon, DpClip = epsilon is null ? null : 1.0,
            };
            var (outcome, seconds) = DpVaeBench.Train(recipe, Path.Combine(folder, epsilon is null ? "plain" : $"dp{epsilon}"));
            using var owned = outcome;
            var vae = (VaeModel)outcome.Model;
            var attack = MembershipInference.LossThreshold(DpVaeBench.Losses(vae, members), DpVaeBench.Losses(vae, nonMembers));
            string privacy = outcome.Metrics.TryGetValue("epsilon", out var spent) ? $"ε {spent:F2}" : "non-private";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{privacy,-12} train −ELBO {attack.MeanMemberLoss:F1}  test −ELBO {attack.MeanNonMemberLoss:F1} nats  {Mia(attack)}  "
                + $"train {seconds:F0} s"));
        }
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    internal static string Mia(MembershipInferenceResult attack) =>
        string.Create(CultureInfo.InvariantCulture, $"AUROC {attack.Auroc:F3}  TPR@1%FPR {attack.TprAtLowFpr:F3}");

    internal static double[] Epsilons(string[] args) =>
        [.. (BenchSupport.StringOption(args, "--epsilons") ?? "8,1").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => double.Parse(e, CultureInfo.InvariantCulture))];
}
