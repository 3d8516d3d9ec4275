using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Models.Mcmc;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Mcmc;

/// <summary><see cref="McmcResultFiles"/>: the draws row by row, the summary, the scatter for a 2-D target, no tensor kept.</summary>
public sealed class McmcResultFilesTests
{
    [Fact]
    public void A_run_is_written_as_draws_a_summary_and_a_scatter()
    {
        using var work = new TempFolder();
        var options = new McmcOptions { Sampler = McmcSampler.RandomWalk, Chains = 3, Samples = 20, BurnIn = 10, Seed = 2 };
        using var result = McmcRunner.Run(McmcTargets.CorrelatedGaussian(), options);
        long before = TensorCounts.Live;
        McmcResultFiles.Write(result, work.File("run"), "correlated-gaussian", options, "loom mcmc test");
        Assert.Equal(before, TensorCounts.Live);

        var lines = File.ReadAllLines(Path.Combine(work.File("run"), "draws.csv"));
        Assert.Equal("x0,x1", lines[0]);
        Assert.Equal(3 * 20, lines.Length - 1);
        // Row 1 + chains·s + c is draw s of chain c.
        using (var scope = torch.NewDisposeScope())
        {
            var draw = result.Draws[4, 2].data<double>().ToArray();
            Assert.Equal(draw, lines[1 + 3 * 4 + 2].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)));
        }
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(work.File("run"), "summary.json")))!;
        Assert.Equal("correlated-gaussian", (string?)summary["target"]);
        Assert.Equal(result.Mean[1], (double)summary["mean"]![1]!);
        Assert.Equal("loom mcmc test", (string?)summary["command_line"]);
        Assert.True(new FileInfo(Path.Combine(work.File("run"), "draws.png")).Length > 0);
    }
}
