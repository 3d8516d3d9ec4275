using System.Globalization;
using Loom.Privacy;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary><c>loom privacy epsilon|noise</c> through the real binary: the answers equal the library's accountant, and bad
/// values get one line naming the flag.</summary>
public class PrivacyCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-privacy");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private static Dictionary<string, string> Fields(CliRunner.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split("  ", 2, StringSplitOptions.TrimEntries))
            .ToDictionary(p => p[0], p => p[1].Trim());
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void EpsilonPrintsTheAccountantsAnswerAndBestOrder()
    {
        var fields = Fields(Loom("privacy", "epsilon", "--noise", "1.5", "--sample-rate", "0.04", "--steps", "2250", "--delta", "1e-5"));
        var library = RdpAccountant.Epsilon(1.5, 0.04, 2250, 1e-5);
        Assert.Equal(library.Epsilon, Number(fields["epsilon"]), 4);
        Assert.Equal(library.BestOrder, Number(fields["best order"]), 6);
        Assert.InRange(Number(fields["epsilon"]), 7.3290, 7.3292);
    }

    [Fact]
    public void NoiseFindsTheMultiplierForTheTargetOverEpochsOverRate()
    {
        var fields = Fields(Loom("privacy", "noise", "--epsilon", "3", "--delta", "1e-5", "--sample-rate", "0.01", "--epochs", "5"));
        Assert.Equal("500", fields["steps"]);
        double sigma = Number(fields["noise"]);
        Assert.Equal(NoiseCalibration.ForTarget(3, 1e-5, 0.01, 500).NoiseMultiplier, sigma, 5);
        Assert.True(Number(fields["epsilon"]) <= 3);
        Assert.True(double.IsFinite(Number(fields["best order"])));
        // The printed noise, fed back to 'epsilon', spends at most the target.
        var back = Fields(Loom("privacy", "epsilon", "--noise", fields["noise"], "--sample-rate", "0.01", "--steps", "500"));
        Assert.InRange(Number(back["epsilon"]), 2.99, 3.0001);
    }

    [Theory]
    [InlineData("--noise", "epsilon", "--noise", "0", "--sample-rate", "0.1", "--steps", "10")]
    [InlineData("--sample-rate", "epsilon", "--noise", "1", "--sample-rate", "1.5", "--steps", "10")]
    [InlineData("--steps", "epsilon", "--noise", "1", "--sample-rate", "0.1", "--steps", "0")]
    [InlineData("--delta", "epsilon", "--noise", "1", "--sample-rate", "0.1", "--steps", "10", "--delta", "1")]
    [InlineData("--epsilon", "noise", "--epsilon", "-1", "--sample-rate", "0.1", "--epochs", "1")]
    [InlineData("--epochs", "noise", "--epsilon", "1", "--sample-rate", "0.1", "--epochs", "0")]
    [InlineData("--sample-rate", "noise", "--epsilon", "1", "--sample-rate", "0", "--epochs", "1")]
    [InlineData("--delta", "noise", "--epsilon", "1", "--sample-rate", "0.1", "--epochs", "1", "--delta", "0")]
    public void BadValuesGetOneLineNamingTheFlag(string flag, params string[] args)
    {
        var result = Loom(["privacy", .. args]);
        CliAssert.OneLineError(result, 2, flag + ":");
    }

    [Fact]
    public void AMissingRequiredFlagIsAUsageError()
    {
        var result = Loom("privacy", "epsilon", "--noise", "1", "--steps", "10");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--sample-rate", result.Stderr);
    }
}
