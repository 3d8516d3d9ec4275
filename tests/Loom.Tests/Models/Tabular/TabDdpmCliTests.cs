using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// <c>loom train tabddpm</c> → <c>loom sample</c> (with a condition) → <c>loom eval</c> through the real binary, resume, and bad
/// input as one line.
/// </summary>
public sealed class TabDdpmCliTests : IDisposable
{
    private readonly TempFolder work = new();

    public TabDdpmCliTests()
    {
        var csv = CopulaFixtures.GaussianCsv(500, 4).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllText(work.File("train.csv"), string.Join("\n", csv[..401]) + "\n");
        File.WriteAllText(work.File("holdout.csv"), csv[0] + "\n" + string.Join("\n", csv[401..]) + "\n");
    }

    public void Dispose() => work.Dispose();

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work.Path, args);

    private static readonly string[] Small =
        ["--batch-size", "100", "--timesteps", "30", "--hidden", "32", "--embedding", "16", "--seed", "1"];

    [Fact]
    public void TrainResumeSampleAndEvaluate()
    {
        var train = Loom(["train", "tabddpm", "--data", "train.csv", "--out", "run", "--steps", "100", .. Small]);
        Assert.True(train.ExitCode == 0, train.ToString());
        var resumed = Loom("train", "tabddpm", "--out", "run", "--resume", "--steps", "150");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(150, JsonNode.Parse(File.ReadAllText(work.File("run/trainer-state.json")))!["step"]!.GetValue<long>());

        var sample = Loom("sample", "run", "--n", "300", "--seed", "2", "--out", "synth.csv");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.Equal("id,x,y,n,level,flag,day", File.ReadLines(work.File("synth.csv")).First());
        Assert.Equal(301, File.ReadLines(work.File("synth.csv")).Count());

        var conditioned = Loom("sample", "run", "--n", "10", "--condition", "level=high");
        Assert.True(conditioned.ExitCode == 0, conditioned.ToString());
        var rows = conditioned.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(10, rows.Count);
        Assert.All(rows, r => Assert.Equal("high", r.Split(',')[4]));

        var eval = Loom("eval", "synth.csv", "--data", "train.csv", "--holdout", "holdout.csv", "--target", "level", "--out", "report");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("tstr_macro_f1", eval.Stdout);
        Assert.Contains(global::Loom.Models.Tabular.Diffusion.TabDdpmModel.KindName,
            global::Loom.Evaluation.Tables.TableEvaluation.TableModelKinds);
        var fromModel = Loom("eval", "run", "--data", "train.csv", "--target", "y", "--out", "report2");
        Assert.True(fromModel.ExitCode == 0, fromModel.ToString());
        Assert.Contains("tstr_r2", fromModel.Stdout);
    }

    [Fact]
    public void BadInputIsOneLine()
    {
        CliAssert.OneLineError(Loom("train", "tabddpm", "--data", "train.csv", "--steps", "0", "--out", "bad"), 2,
            "--steps: must be at least 1");
        CliAssert.OneLineError(Loom("train", "tabddpm", "--data", "train.csv", "--embedding", "9", "--out", "bad"), 2,
            "--embedding: must be even");
        CliAssert.OneLineError(Loom("train", "tabddpm", "--data", "missing.csv", "--out", "bad"), 1, "missing.csv");
        Assert.Equal(0, Loom(["train", "tabddpm", "--data", "train.csv", "--steps", "2", "--out", "run", .. Small]).ExitCode);
        CliAssert.OneLineError(Loom("sample", "run", "--condition", "x=ten"), 2, "--condition: x=ten: not a number");
        CliAssert.OneLineError(Loom("sample", "run", "--condition", "x=99"), 2, "--condition: x=99 is outside the range seen in training");
        CliAssert.OneLineError(Loom("sample", "run", "--condition", "level=mid"), 2, "--condition: 'mid' never occurs in column 'level'");
        CliAssert.OneLineError(Loom("train", "tabddpm", "--out", "run", "--resume", "--batch-size", "64"), 2, "--batch-size");
    }
}
