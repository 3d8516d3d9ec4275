using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// <c>loom train tvae|ctgan</c> → <c>loom sample</c> → <c>loom eval --target</c> through the real binary, and bad input as
/// one line.
/// </summary>
public sealed class NeuralTableCliTests : IDisposable
{
    private readonly TempFolder work = new();

    public NeuralTableCliTests()
    {
        var csv = CopulaFixtures.GaussianCsv(700, 4).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllText(work.File("train.csv"), string.Join("\n", csv[..501]) + "\n");
        File.WriteAllText(work.File("holdout.csv"), csv[0] + "\n" + string.Join("\n", csv[501..]) + "\n");
    }

    public void Dispose() => work.Dispose();

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work.Path, args);

    [Fact]
    public void TrainSampleAndEvaluateWithUtility()
    {
        var train = Loom("train", "tvae", "--data", "train.csv", "--out", "run", "--epochs", "40", "--batch-size", "100", "--seed", "1");
        Assert.True(train.ExitCode == 0, train.ToString());
        var sample = Loom("sample", "run", "--n", "400", "--seed", "2", "--out", "synth.csv");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.Equal("id,x,y,n,level,flag,day", File.ReadLines(work.File("synth.csv")).First());
        Assert.Equal(401, File.ReadLines(work.File("synth.csv")).Count());
        var likely = Loom("sample", "run", "--n", "400", "--seed", "2", "--one-hots", "most-likely", "--out", "likely.csv");
        Assert.True(likely.ExitCode == 0, likely.ToString());
        Assert.Equal(401, File.ReadLines(work.File("likely.csv")).Count());
        Assert.NotEqual(File.ReadAllText(work.File("synth.csv")), File.ReadAllText(work.File("likely.csv")));
        CliAssert.OneLineError(Loom("sample", "run", "--one-hots", "maybe"), 2, "--one-hots: expected draw or most-likely");

        var conditioned = Loom("sample", "run", "--n", "10", "--condition", "level=high");
        Assert.True(conditioned.ExitCode == 0, conditioned.ToString());
        var rows = conditioned.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(10, rows.Count);
        Assert.All(rows, r => Assert.Equal("high", r.Split(',')[4]));

        var eval = Loom("eval", "synth.csv", "--data", "train.csv", "--holdout", "holdout.csv", "--target", "level", "--out", "report");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("tstr_macro_f1", eval.Stdout);
        var utility = JsonNode.Parse(File.ReadAllText(work.File("report/metrics.json")))!["utility"]!;
        Assert.Equal("classification", utility["task"]!.GetValue<string>());
        Assert.Equal("holdout", utility["test_rows_from"]!.GetValue<string>());
        Assert.True(utility["train_on_real"]!.GetValue<double>() > 0.6);
        Assert.InRange(utility["utility_ratio"]!.GetValue<double>(), 0.0, 1.3);
        Assert.Contains("Machine-learning utility", File.ReadAllText(work.File("report/report.html")));

        // A checkpoint evaluates directly, with a number target (R²) and no holdout (a 20% split).
        var fromModel = Loom("eval", "run", "--data", "train.csv", "--target", "y", "--out", "report2");
        Assert.True(fromModel.ExitCode == 0, fromModel.ToString());
        Assert.Contains("tstr_r2", fromModel.Stdout);
    }

    [Fact]
    public void TrainResumeAndSampleOnANumber()
    {
        var train = Loom("train", "ctgan", "--data", "train.csv", "--out", "run", "--epochs", "2", "--batch-size", "100",
            "--checkpoint-every", "4");
        Assert.True(train.ExitCode == 0, train.ToString());
        var resumed = Loom("train", "ctgan", "--out", "run", "--resume", "--epochs", "4");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(20, JsonNode.Parse(File.ReadAllText(work.File("run/trainer-state.json")))!["step"]!.GetValue<long>());
        CliAssert.OneLineError(Loom("train", "ctgan", "--out", "run", "--resume", "--batch-size", "50"), 2, "--batch-size");
        var sample = Loom("sample", "run", "--n", "5", "--condition", "x=11.5", "--condition", "level=high");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var rows = sample.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal(("11.5", "high"), (r.Split(',')[1], r.Split(',')[4])));
    }

    [Fact]
    public void BadInputIsOneLine()
    {
        CliAssert.OneLineError(Loom("train", "ctgan", "--data", "train.csv", "--batch-size", "25", "--out", "bad"), 2,
            "--batch-size: must be a multiple of --pac");
        CliAssert.OneLineError(Loom("train", "tvae", "--data", "train.csv", "--epochs", "0", "--out", "bad"), 2,
            "--epochs: must be at least 1");
        CliAssert.OneLineError(Loom("train", "ctgan", "--data", "missing.csv", "--out", "bad"), 1, "missing.csv");
        Assert.Equal(0, Loom("train", "ctgan", "--data", "train.csv", "--epochs", "1", "--batch-size", "100", "--out", "run").ExitCode);
        CliAssert.OneLineError(Loom("sample", "run", "--condition", "x=ten"), 2, "--condition: x=ten: not a number");
        CliAssert.OneLineError(Loom("sample", "run", "--condition", "level=mid"), 2, "--condition: 'mid' never occurs in column 'level'");
        CliAssert.OneLineError(Loom("eval", "run", "--data", "train.csv", "--target", "nope", "--out", "r"), 2,
            "--target: 'nope' is not a column");
        CliAssert.OneLineError(Loom("train", "tvae", "--out", "run", "--resume"), 2, "run holds a 'ctgan' run, not a 'tvae' one");
        CliAssert.OneLineError(Loom("train", "ctgan", "--out", "nowhere", "--resume"), 2, "nowhere holds no ctgan run to resume");
    }
}
