using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary><c>loom distill diffusion</c> through the real binary: a tiny 2-D teacher, one round, the student sampled by default
/// in its own steps; bad input is one line.</summary>
public sealed class DistillDiffusionCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-distill-cli");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    [Fact]
    public void Distils_a_teacher_into_a_student_that_samples_in_its_own_steps()
    {
        var trained = Loom("train", "diffusion", "--data", "8gaussians", "--points", "2000", "--width", "32", "--layers", "1",
            "--prediction", "v", "--steps", "100", "--batch-size", "128", "--checkpoint-every", "0", "--seed", "1", "--out", "t");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        var distilled = Loom("distill", "diffusion", "t", "--start-steps", "8", "--rounds", "2", "--round-steps", "20",
            "--batch-size", "64", "--points", "2000", "--out", "d");
        Assert.True(distilled.ExitCode == 0, distilled.ToString());
        Assert.Contains("round 2: 4 → 2 DDIM steps", distilled.Stdout);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "d", "config.json")))!["config"]!;
        Assert.Equal(2, config["sampler"]!["steps"]!.GetValue<int>());
        Assert.Equal(8, config["distillation"]!["teacher_steps"]!.GetValue<int>());
        Assert.True(File.Exists(Path.Combine(work, "d", "round-1", "config.json")));
        var sampled = Loom("sample", "d", "--n", "20", "--seed", "3", "--out", "s.csv");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        Assert.Equal(20, File.ReadAllLines(Path.Combine(work, "s.csv")).Count(l => l.Length > 0 && char.IsAsciiDigit(l.TrimStart('-')[0])));
        var info = Loom("info", "d");
        Assert.True(info.ExitCode == 0, info.ToString());
        // The same folder again without --resume or --overwrite is refused.
        CliAssert.OneLineError(Loom("distill", "diffusion", "t", "--start-steps", "8", "--rounds", "1", "--round-steps", "5", "--out", "d"),
            2, "--out");
    }

    [Fact]
    public void Bad_input_is_one_line_naming_the_flag()
    {
        CliAssert.OneLineError(Loom("distill", "diffusion", "t", "--start-steps", "12", "--rounds", "3", "--out", "x"), 2, "--start-steps");
        CliAssert.OneLineError(Loom("distill", "diffusion", "no-such-folder", "--out", "x"), 2, "no such checkpoint folder");
        CliAssert.OneLineError(Loom("distill", "diffusion", "t", "--lr", "0", "--out", "x"), 2, "--lr");
    }
}
