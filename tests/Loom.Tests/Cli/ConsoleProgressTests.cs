using Loom.Cli;
using Xunit;

namespace Loom.Tests.Cli;

/// <summary>Plain-line progress: the caller's ETA wins (a resumed run's restored steps are not free), the last line always
/// prints.</summary>
public class ConsoleProgressTests
{
    [Fact]
    public void Plain_lines_print_the_callers_eta_and_the_last_report()
    {
        var output = new StringWriter();
        using (var progress = new ConsoleProgress("train", output, interactive: false))
        {
            // A resumed run: 4,040 of 10,000 steps done, but only 40 of them in this process; the trainer's estimate is 25 minutes.
            progress.Report(4040, 10000, "loss 1.0", TimeSpan.FromMinutes(25));
            progress.Report(4041, 10000, "loss 0.9", TimeSpan.FromMinutes(24));
        }
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("4040/10000 loss 1.0", lines[0]);
        Assert.EndsWith("eta 00:25:00", lines[0].TrimEnd());
        // The throttled report is printed on dispose, with its own estimate.
        Assert.EndsWith("eta 00:24:00", lines[1].TrimEnd());
    }

    [Fact]
    public void Without_an_estimate_the_eta_is_extrapolated_and_zero_when_done()
    {
        var output = new StringWriter();
        using (var progress = new ConsoleProgress("fit", output, interactive: false))
            progress.Report(10, 10, "done");
        Assert.EndsWith("eta 00:00:00", output.ToString().TrimEnd());
    }
}
