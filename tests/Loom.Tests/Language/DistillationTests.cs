using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Language;
using Loom.Models.Language.Distillation;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Language;

/// <summary>
/// Knowledge distillation through the library: the loss against a naive per-token computation, a distilled student closer
/// to its teacher than the same student trained on the data alone, exact resume with the teacher named in run.json, and
/// the refusals (another tokenizer, weights without a teacher, DP-SGD).
/// </summary>
public sealed class DistillationTests
{
    private static readonly LanguageModelRecipe Student = new()
    {
        Data = "names", Steps = 20, BatchSize = 16, Layers = 1, Heads = 2, Width = 16, EvalEvery = 10, CheckpointEvery = 10, Seed = 3,
    };

    private static TrainingOutcome Train(LanguageModelRecipe recipe, string folder, bool resume = false, long? stopAfter = null)
    {
        using var stop = new CancellationTokenSource();
        return OneThreadRuns.Run(() => ModelRegistry.Trainable("gpt").Train(RecipeJson.ToJson(recipe), new TrainingContext
        {
            OutputFolder = folder, Resume = resume, Cancellation = stop.Token,
            Progress = stopAfter is { } last ? new CancelAtStep(last, stop) : null,
        }));
    }

    /// <summary>A 2-layer, 32-wide teacher trained on names for 60 steps.</summary>
    private static string Teacher(TempFolder tmp)
    {
        var folder = tmp.File("teacher");
        using (Train(Student with { Steps = 60, Layers = 2, Width = 32, CheckpointEvery = 0 }, folder)) { }
        return folder;
    }

    [Fact]
    public void The_loss_equals_a_naive_per_token_computation()
    {
        using var scope = torch.NewDisposeScope();
        using var g = Seeding.Generator(1, "distillation-loss-test");
        var student = torch.randn([2, 3, 5], generator: g) * 2;
        var teacher = torch.randn([2, 3, 5], generator: g) * 2;
        var targets = torch.tensor(new long[] { 1, 4, 0, 2, LanguageModelData.IgnoreIndex, 3 }).view(2, 3);
        var options = new DistillationOptions { Alpha = 0.3, Temperature = 2.5 };
        var loss = DistillationLoss.Compute(student, teacher, targets, options, out long tokens).ToDouble();
        Assert.Equal(5, tokens);

        double T = options.Temperature, kl = 0, ce = 0;
        var s = student.to(ScalarType.Float64).data<double>().ToArray();
        var t = teacher.to(ScalarType.Float64).data<double>().ToArray();
        var y = targets.data<long>().ToArray();
        for (int i = 0; i < 6; i++)
        {
            if (y[i] == LanguageModelData.IgnoreIndex) continue;
            var row = Enumerable.Range(0, 5).ToArray();
            double[] ps = Softmax(row.Select(v => s[i * 5 + v] / T)), pt = Softmax(row.Select(v => t[i * 5 + v] / T));
            double[] p1 = Softmax(row.Select(v => s[i * 5 + v]));
            kl += row.Sum(v => pt[v] * Math.Log(pt[v] / ps[v]));
            ce -= Math.Log(p1[y[i]]);
        }
        double naive = options.Alpha * T * T * kl / 5 + (1 - options.Alpha) * ce / 5;
        Assert.Equal(naive, loss, 5);
    }

    private static double[] Softmax(IEnumerable<double> logits)
    {
        var x = logits.ToArray();
        double max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    [Fact]
    public void A_distilled_student_is_closer_to_its_teacher_than_one_trained_on_the_data_alone_and_resumes_exactly()
    {
        using var tmp = new TempFolder();
        var teacherFolder = Teacher(tmp);
        var distilled = Student with { Teacher = teacherFolder, DistillAlpha = 1.0, DistillTemperature = 1.0 };
        double reported;
        using (var run = Train(distilled, tmp.File("distilled"))) reported = run.Metrics["val_kl_to_teacher"];
        using (var run = Train(Student, tmp.File("data-only"))) Assert.False(run.Metrics.ContainsKey("val_kl_to_teacher"));

        using var teacher = (NeuralLanguageModel)Checkpoint.Load(teacherFolder);
        var text = TextFile.Read(DataCatalog.Resolve("names").Path);
        var (corpus, _) = LanguageModelCorpus.Prepare(text, teacher.Tokenizer, lines: true, seed: 3);
        double Kl(string folder)
        {
            using var student = (NeuralLanguageModel)Checkpoint.Load(tmp.File(folder));
            return DistillationLoss.ExactKl(student.Network, teacher.Causal, corpus, true, corpus.LongestLine);
        }
        double klDistilled = Kl("distilled"), klDataOnly = Kl("data-only");
        Assert.Equal(reported, klDistilled, 4);
        Assert.True(klDistilled < klDataOnly, $"KL to the teacher: distilled {klDistilled:F4}, data alone {klDataOnly:F4}");

        // Stopped and resumed with no settings: the teacher comes from run.json and the run equals the uninterrupted one.
        using (var first = Train(distilled, tmp.File("parts"), stopAfter: 10)) Assert.True(first.Interrupted);
        using (Train(new LanguageModelRecipe(), tmp.File("parts"), resume: true)) { }
        OneThreadRuns.AssertSameFiles(tmp.File("distilled"), tmp.File("parts"), Checkpoint.ModelFile, Checkpoint.TrainerStateTensorsFile);
    }

    [Fact]
    public void A_teacher_with_another_tokenizer_and_weights_without_a_teacher_are_refused()
    {
        using var tmp = new TempFolder();
        var teacherFolder = Teacher(tmp);
        File.WriteAllText(tmp.File("abc.txt"), string.Concat(Enumerable.Repeat("abc abd\n", 400)));
        var other = Student with { Data = tmp.File("abc.txt"), Teacher = teacherFolder, Context = 16 };
        var error = Assert.Throws<LoomUsageException>(() => Train(other, tmp.File("other")));
        Assert.Equal("Teacher", error.Option);
        Assert.Contains("tokenizer", error.Message);
        Assert.False(File.Exists(Path.Combine(tmp.File("other"), Checkpoint.ModelFile)));

        Assert.Equal("DistillAlpha", Assert.Throws<LoomUsageException>(
            () => Train(Student with { DistillAlpha = 0.5 }, tmp.File("a"))).Option);
        Assert.Equal("DistillAlpha", Assert.Throws<LoomUsageException>(
            () => Train(Student with { Teacher = teacherFolder, DistillAlpha = 1.5 }, tmp.File("b"))).Option);
        Assert.Equal("DistillTemperature", Assert.Throws<LoomUsageException>(
            () => Train(Student with { Teacher = teacherFolder, DistillTemperature = 0 }, tmp.File("c"))).Option);
        Assert.Equal("Teacher", Assert.Throws<LoomUsageException>(
            () => Train(Student with { Teacher = teacherFolder, DpNoise = 1.0 }, tmp.File("d"))).Option);
        Assert.Equal("Teacher", Assert.Throws<LoomUsageException>(() => Train(Student with { Teacher = tmp.File("none") }, tmp.File("e")))
            .Option);
    }
}
