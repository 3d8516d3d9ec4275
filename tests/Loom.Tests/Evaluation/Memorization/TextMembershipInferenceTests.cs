using Loom.Core;
using Loom.Evaluation.Memorization;
using Loom.Evaluation.Suite;
using Loom.Models;
using Loom.Models.Language;
using Loom.Tests.Support;
using Loom.Training.Runs;

namespace Loom.Tests.Evaluation.Memorization;

/// <summary>
/// The loss-threshold membership-inference attack: AUROC and TPR at 1% FPR against naive pair counting and a naive threshold
/// sweep on fixed scores, the reference-calibrated variant, and the text attack on a tiny char GPT overfit on 20 names
/// (per-line losses agree with <c>loom score</c>'s total; members score lower than unseen names); bad input.
/// </summary>
public sealed class TextMembershipInferenceTests
{
    private static readonly string[] Names =
    [
        "emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper", "evelyn", "abigail", "emily",
        "elizabeth", "mila", "ella", "avery", "sofia", "camila", "aria", "scarlett", "victoria", "madison", "luna", "grace",
        "chloe", "penelope", "layla", "riley", "zoey", "nora", "lily", "eleanor", "hannah", "lillian", "addison", "aubrey",
        "ellie", "stella", "natalie", "zoe", "leah", "hazel", "violet", "aurora",
    ];

    private static double NaiveAuroc(double[] members, double[] others) =>
        members.Sum(m => others.Sum(o => m < o ? 1.0 : m == o ? 0.5 : 0.0)) / (members.Length * (double)others.Length);

    /// <summary>Every threshold t ("member when loss ≤ t", t from below all losses to each loss): the best TPR whose FPR ≤
    /// 1%.</summary>
    private static double NaiveTprAtOnePercent(double[] members, double[] others) =>
        members.Concat(others).Append(double.NegativeInfinity)
            .Where(t => others.Count(o => o <= t) / (double)others.Length <= 0.01)
            .Max(t => members.Count(m => m <= t) / (double)members.Length);

    private static (double[] Members, double[] Others) FixedScores(int seed, int m, int n)
    {
        var random = new Random(seed);
        // Rounded to one decimal so that ties happen, members shifted down a little.
        var members = Enumerable.Range(0, m).Select(_ => Math.Round(random.NextDouble() * 3 - 0.4, 1)).ToArray();
        var others = Enumerable.Range(0, n).Select(_ => Math.Round(random.NextDouble() * 3, 1)).ToArray();
        return (members, others);
    }

    [Theory]
    [InlineData(1, 50, 300)]
    [InlineData(2, 200, 200)]
    [InlineData(3, 7, 1000)]
    public void Auroc_and_tpr_at_one_percent_fpr_match_naive_references_on_fixed_scores(int seed, int m, int n)
    {
        var (members, others) = FixedScores(seed, m, n);
        var result = MembershipInference.LossThreshold(members, others);
        Assert.Equal(NaiveAuroc(members, others), result.Auroc, 12);
        Assert.Equal(NaiveTprAtOnePercent(members, others), result.TprAtLowFpr, 12);
    }

    [Fact]
    public void Tpr_at_low_fpr_is_one_for_separable_scores_and_zero_when_the_lowest_loss_is_a_non_member()
    {
        Assert.Equal(1.0, MembershipInference.LossThreshold([0.1, 0.2], [0.5, 0.9]).TprAtLowFpr, 12);
        Assert.Equal(0.0, MembershipInference.LossThreshold([0.5, 0.6], [0.1, 0.9]).TprAtLowFpr, 12);
    }

    [Fact]
    public void The_calibrated_attack_thresholds_target_minus_reference_losses()
    {
        var (members, others) = FixedScores(4, 40, 60);
        var (memberReference, otherReference) = FixedScores(5, 40, 60);
        var result = MembershipInference.Calibrated(members, memberReference, others, otherReference);
        var memberDiffs = members.Zip(memberReference, (t, r) => t - r).ToArray();
        var otherDiffs = others.Zip(otherReference, (t, r) => t - r).ToArray();
        Assert.Equal(NaiveAuroc(memberDiffs, otherDiffs), result.Auroc, 12);
        Assert.Equal(memberDiffs.Average(), result.MeanMemberLoss, 12);
        var error = Assert.Throws<LoomDataException>(
            () => MembershipInference.Calibrated(members, memberReference[1..], others, otherReference));
        Assert.Contains("a reference loss per example", error.Message);
    }

    /// <summary>The names spelled with letters <paramref name="vocabulary"/> has (a char model trained on it can score them).</summary>
    private static string[] Covered(string[] names, string[] vocabulary) =>
        [.. names.Where(n => n.All(c => vocabulary.Any(v => v.Contains(c))))];

    private static NeuralLanguageModel TrainOn(TempFolder tmp, string[] lines, long steps, string name)
    {
        var data = tmp.File(name + ".txt");
        File.WriteAllText(data, string.Join('\n', lines) + "\n");
        var recipe = new LanguageModelRecipe
        {
            Data = data, Layout = "lines", Steps = steps, BatchSize = 20, Layers = 1, Heads = 2, Width = 32, EvalEvery = 0,
            Warmup = 10, LearningRate = 1e-2, Seed = 1,
        };
        var outcome = OneThreadRuns.Run(() => ModelRegistry.Trainable("gpt").Train(RecipeJson.ToJson(recipe),
            new TrainingContext { OutputFolder = tmp.File(name) }));
        return (NeuralLanguageModel)outcome.Model;
    }

    [Fact]
    public void A_tiny_gpt_overfit_on_twenty_names_gives_its_members_lower_losses_than_unseen_names()
    {
        using var tmp = new TempFolder();
        // 22 lines: the run validates on 2 and trains on the other 20.
        var file = Names[..22];
        using var model = TrainOn(tmp, file, 300, "members");
        var members = TextMembershipInference.TrainingLines(model, string.Join('\n', file), seed: 1);
        Assert.Equal(20, members.Count);
        Assert.All(members, m => Assert.Contains(m, file));
        var nonMembers = Covered(Names[22..], file);
        var result = OneThreadRuns.Run(() => TextMembershipInference.Attack(model, members, nonMembers));
        Assert.True(result.MeanMemberLoss < result.MeanNonMemberLoss,
            $"member loss {result.MeanMemberLoss} is not below the non-member loss {result.MeanNonMemberLoss}");
        Assert.True(result.Auroc > 0.5, $"AUROC {result.Auroc}");
        Assert.Equal((20, nonMembers.Length), (result.Members, result.NonMembers));
    }

    [Fact]
    public void Line_losses_are_the_per_line_terms_of_loom_score_and_the_calibrated_attack_runs_on_a_reference()
    {
        using var tmp = new TempFolder();
        using var model = TrainOn(tmp, Names[..22], 20, "target");
        using var reference = TrainOn(tmp, Names[22..], 20, "reference");
        var lines = Covered(Covered(Names[..12], Names[..22]), Names[22..]);
        var losses = OneThreadRuns.Run(() => TextMembershipInference.LineLosses(model, lines));
        // Each line is framed by the start token on both sides: its length + 1 scored tokens (char tokenizer).
        double total = losses.Select((loss, i) => loss * (lines[i].Length + 1)).Sum();
        var score = OneThreadRuns.Run(() => model.ScoreContent(string.Join('\n', lines)));
        Assert.Equal(score.TotalNllNats, total, 3);
        var others = Covered(Covered(Names[30..], Names[..22]), Names[22..]);
        var calibrated = OneThreadRuns.Run(() => TextMembershipInference.Attack(model, lines, others, reference));
        var referenceLosses = OneThreadRuns.Run(() => TextMembershipInference.LineLosses(reference, lines));
        Assert.Equal(losses.Zip(referenceLosses, (t, r) => t - r).Average(), calibrated.MeanMemberLoss, 9);
    }

    [Fact]
    public void The_evaluation_suite_attacks_a_line_model_with_its_training_split_against_unseen_lines_of_the_data()
    {
        using var tmp = new TempFolder();
        var file = Names[..22];
        using (TrainOn(tmp, file, 300, "members")) { }
        // Training lines in the evaluation file are not counted as non-members (`loom score` needs every letter in the vocabulary).
        var heldOut = tmp.File("heldout.txt");
        File.WriteAllText(heldOut, string.Join('\n', Names[..5].Concat(Covered(Names[22..], file))) + "\n");
        var options = new EvaluationOptions { TextSamples = 4, TextLength = 20, Seed = 2 };
        using var evaluator = new Evaluator(heldOut, options);
        var result = OneThreadRuns.Run(() => evaluator.Evaluate(tmp.File("members"), tmp.File("eval")));
        int count = Covered(Names[22..], file).Length;
        Assert.Contains($"membership inference: {count} training lines vs {count} lines of heldout.txt", string.Join("\n", result.Notes));
        Assert.True(result.Get("mia_auroc")!.Value > 0.5, $"AUROC {result.Get("mia_auroc")!.Value}");
        Assert.NotNull(result.Get("mia_tpr_at_1pct_fpr"));
        // Against its own training file there is nothing to attack with.
        var own = tmp.File("members.txt");
        using var ownEvaluator = new Evaluator(own, options);
        var ownResult = OneThreadRuns.Run(() => ownEvaluator.Evaluate(tmp.File("members"), tmp.File("eval-own")));
        Assert.Null(ownResult.Get("mia_auroc"));
        Assert.Contains(ownResult.Notes, n => n.Contains("has no line outside the training file"));
    }

    [Fact]
    public void Loom_audit_reports_the_attack_on_a_line_model_trained_through_the_cli()
    {
        using var tmp = new TempFolder();
        var file = Names[..22];
        File.WriteAllText(tmp.File("members.txt"), string.Join('\n', file) + "\n");
        File.WriteAllText(tmp.File("heldout.txt"), string.Join('\n', Covered(Names[22..], file)) + "\n");
        var train = CliRunner.Run(tmp.Path, "train", "gpt", "--data", "members.txt", "--layout", "lines", "--steps", "200",
            "--batch-size", "20", "--layers", "1", "--heads", "2", "--width", "32", "--eval-every", "0", "--warmup", "10", "--lr",
            "1e-2", "--seed", "1", "--out", "run");
        Assert.True(train.ExitCode == 0, train.ToString());
        var audit = CliRunner.Run(tmp.Path, "audit", "run", "--data", "heldout.txt", "--samples", "4", "--out", "audit");
        Assert.True(audit.ExitCode == 0, audit.ToString());
        var report = File.ReadAllText(tmp.File(Path.Combine("audit", "audit.json")));
        Assert.Contains("mia_tpr_at_1pct_fpr", report);
        Assert.Contains("membership-inference AUROC", report);
    }

    [Fact]
    public void Bad_input_is_a_data_error()
    {
        using var tmp = new TempFolder();
        using var model = TrainOn(tmp, Names[..22], 2, "model");
        Assert.Contains("empty", Assert.Throws<LoomDataException>(() => TextMembershipInference.LineLosses(model, ["ava", ""])).Message);
        Assert.Contains("no lines", Assert.Throws<LoomDataException>(() => TextMembershipInference.TokenLineLosses(model, [])).Message);
        var longLine = new string('a', 500);
        Assert.Contains("context", Assert.Throws<LoomDataException>(() => TextMembershipInference.LineLosses(model, [longLine])).Message);
        Assert.Contains("no lines", Assert.Throws<LoomDataException>(() => TextMembershipInference.Attack(model, ["ava"], [])).Message);
    }
}
