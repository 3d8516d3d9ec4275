using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// <c>loom train copula</c> → <c>loom sample</c> → <c>loom eval</c> through the real binary, and bad input as one line.
/// </summary>
public sealed class CopulaCliTests : IDisposable
{
    private readonly TempFolder work = new();

    public CopulaCliTests()
    {
        var csv = CopulaFixtures.GaussianCsv(600, 3).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllText(work.File("train.csv"), string.Join("\n", csv[..501]) + "\n");
        File.WriteAllText(work.File("holdout.csv"), csv[0] + "\n" + string.Join("\n", csv[501..]) + "\n");
    }

    public void Dispose() => work.Dispose();

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work.Path, args);

    [Fact]
    public void TrainSampleAndEvaluateATable()
    {
        var train = Loom("train", "copula", "--data", "train.csv", "--out", "run", "--seed", "1");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.True(File.Exists(work.File("run/metadata.json")));
        var sample = Loom("sample", "run", "--n", "500", "--seed", "2", "--out", "synth.csv");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var header = File.ReadLines(work.File("synth.csv")).First();
        Assert.Equal("id,x,y,n,level,flag,day", header);
        Assert.Equal(501, File.ReadLines(work.File("synth.csv")).Count());

        var conditioned = Loom("sample", "run", "--n", "20", "--condition", "level=low", "--condition", "flag=True");
        Assert.True(conditioned.ExitCode == 0, conditioned.ToString());
        var rows = conditioned.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(20, rows.Count);
        Assert.All(rows, r => Assert.EndsWith(",low,True," + r.Split(',')[^1], r));

        var eval = Loom("eval", "synth.csv", "--data", "train.csv", "--holdout", "holdout.csv", "--out", "report");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        var metrics = JsonNode.Parse(File.ReadAllText(work.File("report/metrics.json")))!.AsObject();
        Assert.InRange(metrics["quality"]!["overall"]!.GetValue<double>(), 0.85, 1.0);
        Assert.Equal(6, metrics["column_shapes"]!.AsArray().Count);
        Assert.Equal(15, metrics["column_pair_trends"]!.AsArray().Count);
        Assert.Equal(0, metrics["privacy"]!["exact_copy_rate"]!.GetValue<double>());
        Assert.InRange(metrics["privacy"]!["dcr_ratio"]!.GetValue<double>(), 0.5, 2.0);
        var html = File.ReadAllText(work.File("report/report.html"));
        Assert.Contains("Column pair trends", html);
        Assert.Contains("distance to closest record", html);

        // A checkpoint evaluates as well: rows are drawn from it.
        var fromModel = Loom("eval", "run", "--data", "train.csv", "--out", "report2");
        Assert.True(fromModel.ExitCode == 0, fromModel.ToString());
        Assert.Contains("quality", fromModel.Stdout);
    }

    [Fact]
    public void BadInputIsOneLine()
    {
        File.WriteAllText(work.File("meta.json"), """{"columns": {"level": {"sdtype": "categorical", "values": ["high"]}}}""");
        CliAssert.OneLineError(Loom("train", "copula", "--data", "train.csv", "--metadata", "meta.json", "--out", "bad"), 1,
            "column 'level': 'low' is not one of the declared values");
        CliAssert.OneLineError(Loom("train", "copula", "--data", "train.csv", "--marginals", "gamma", "--out", "bad"), 2,
            "--marginals: 'gamma' is not one of");
        CliAssert.OneLineError(Loom("train", "copula", "--data", "missing.csv", "--out", "bad"), 1, "missing.csv");
        Assert.Equal(0, Loom("train", "copula", "--data", "train.csv", "--out", "run").ExitCode);
        CliAssert.OneLineError(Loom("sample", "run", "--condition", "level=mid"), 2, "--condition: 'mid' never occurs in column 'level'");
        CliAssert.OneLineError(Loom("sample", "run", "--condition", "level"), 2, "--condition: expected col=value");
        File.WriteAllText(work.File("ragged.csv"), "id,x,y,n,level,flag,day\n1,2\n");
        CliAssert.OneLineError(Loom("eval", "ragged.csv", "--data", "train.csv", "--out", "r"), 1, "row 1 has 2 fields");
        CliAssert.OneLineError(Loom("eval", "nothing.csv", "--data", "train.csv", "--table", "--out", "r"), 1, "nothing.csv");
    }
}
