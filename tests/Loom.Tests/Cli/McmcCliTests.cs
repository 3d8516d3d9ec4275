using System.Text.Json.Nodes;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary><c>loom mcmc</c> through the real binary: the summary printed, the folder written, bad input in one line.</summary>
public sealed class McmcCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-mcmc-cli");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    [Fact]
    public void Samples_a_target_and_writes_draws_a_summary_and_a_scatter()
    {
        var run = Loom("mcmc", "--target", "banana", "--sampler", "mala", "--chains", "4", "--samples", "50", "--burn-in", "20",
            "--seed", "3", "--out", "run");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("4 chains × 50 draws", run.Stdout, StringComparison.Ordinal);
        var lines = File.ReadAllLines(Path.Combine(work, "run", "draws.csv"));
        Assert.Equal("x0,x1", lines[0]);
        Assert.Equal(4 * 50, lines.Length - 1);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(work, "run", "summary.json")))!;
        Assert.Equal("banana", (string?)summary["target"]);
        Assert.StartsWith("loom", (string?)summary["command_line"], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(work, "run", "draws.png")));

        var discrete = Loom("mcmc", "--target", "ising", "--sampler", "gibbs", "--chains", "2", "--samples", "10", "--burn-in", "5",
            "--out", "ising");
        Assert.True(discrete.ExitCode == 0, discrete.ToString());
        Assert.False(File.Exists(Path.Combine(work, "ising", "draws.png")), "only a 2-D target gets a scatter");
    }

    [Fact]
    public void Bad_input_is_one_line()
    {
        CliAssert.OneLineError(Loom("mcmc", "--target", "moon"), 2, "--target");
        CliAssert.OneLineError(Loom("mcmc", "--target", "ising", "--sampler", "hmc"), 2, "gibbs");
    }
}
