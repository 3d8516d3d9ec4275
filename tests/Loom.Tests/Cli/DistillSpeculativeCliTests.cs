using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>
/// <c>loom train gpt --teacher</c> and <c>loom sample --draft</c> through the real binary: a student distilled from a teacher
/// reports its KL to it, speculative greedy sampling with the student as draft prints the teacher's own greedy text and the
/// acceptance rate, and a teacher or draft over another tokenizer is refused in one line.
/// </summary>
public class DistillSpeculativeCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-distill");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private JsonNode Json(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(work, file)))!;

    private static readonly string[] Tiny = ["--data", "names", "--batch-size", "16", "--heads", "2", "--eval-every", "0", "--seed", "1"];

    [Fact]
    public void A_distilled_student_drafts_for_its_teacher_and_greedy_text_is_the_teachers()
    {
        var teacher = Loom(["train", "gpt", .. Tiny, "--steps", "40", "--layers", "2", "--width", "32", "--out", "teacher"]);
        Assert.True(teacher.ExitCode == 0, teacher.ToString());
        var student = Loom(["train", "gpt", .. Tiny, "--steps", "20", "--layers", "1", "--width", "16", "--teacher", "teacher",
            "--distill-alpha", "0.7", "--distill-temperature", "1.5", "--out", "student"]);
        Assert.True(student.ExitCode == 0, student.ToString());
        Assert.True(Json("student/card.json")["metrics"]!["val_kl_to_teacher"]!.GetValue<double>() >= 0);
        var recipe = Json("student/run.json");
        Assert.Equal("teacher", recipe["teacher"]!.GetValue<string>());
        Assert.Equal(0.7, recipe["distill_alpha"]!.GetValue<double>());

        string[] sample = ["sample", "teacher", "--greedy", "--n", "2", "--prompt", "ma", "--max-tokens", "12"];
        var plain = Loom([.. sample, "--out", "plain.json"]);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        var speculative = Loom([.. sample, "--draft", "student", "--draft-tokens", "3", "--out", "spec.json"]);
        Assert.True(speculative.ExitCode == 0, speculative.ToString());
        Assert.Contains("speculative decoding:", speculative.Stderr);
        var expected = Json("plain.json").AsArray();
        var actual = Json("spec.json").AsArray();
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(expected[i]!["token_ids"]!.ToJsonString(), actual[i]!["token_ids"]!.ToJsonString());
            Assert.Null(expected[i]!["speculative"]);
            var stats = actual[i]!["speculative"]!;
            Assert.Equal(3, stats["draft_tokens"]!.GetValue<int>());
            Assert.InRange(stats["acceptance_rate"]!.GetValue<double>(), 0, 1);
        }
        var sampled = Loom("sample", "teacher", "--n", "1", "--max-tokens", "8", "--draft", "student", "--top-k", "5", "--seed", "2");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());

        CliAssert.OneLineError(Loom([.. sample, "--draft", "student", "--beams", "2"]), 2, "--beams");
        CliAssert.OneLineError(Loom([.. sample, "--draft", "student", "--draft-tokens", "0"]), 2, "--draft-tokens");

        // A teacher and a draft over another character set.
        File.WriteAllText(Path.Combine(work, "abc.txt"), string.Concat(Enumerable.Repeat("abc abd cab\n", 300)));
        var other = Loom("train", "gpt", "--data", "abc.txt", "--steps", "2", "--layers", "1", "--heads", "2", "--width", "16",
            "--context", "16", "--eval-every", "0", "--out", "abc");
        Assert.True(other.ExitCode == 0, other.ToString());
        CliAssert.OneLineError(Loom("train", "gpt", "--data", "abc.txt", "--steps", "2", "--context", "16", "--teacher", "teacher",
            "--out", "refused"), 2, "--teacher: its tokenizer (char");
        Assert.False(Directory.Exists(Path.Combine(work, "refused")) && File.Exists(Path.Combine(work, "refused", "model.safetensors")));
        CliAssert.OneLineError(Loom([.. sample, "--draft", "abc"]), 2, "--draft:");
    }
}
