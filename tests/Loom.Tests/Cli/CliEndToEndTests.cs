using Loom.Tests.Data;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>Runs the real loom binary: the main flows and what bad input gets (one line, right exit code, nothing written).</summary>
public class CliEndToEndTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-cli");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    [Fact]
    public void DoctorReportsALoadedLibtorch()
    {
        var r = Loom("doctor");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("libtorch        loaded", r.Stdout);
    }

    [Fact]
    public void TrainInfoSampleScoreRoundTrip()
    {
        var train = Loom("train", "gmm", "--data", "moons", "--components", "6", "--points", "800", "--out", "ckpt", "--seed", "3");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.True(File.Exists(Path.Combine(work, "ckpt", "samples.png")));
        var info = Loom("info", "ckpt");
        Assert.Contains("kind      gmm", info.Stdout);
        Assert.Contains("command   loom train gmm --data moons", info.Stdout);
        var sample = Loom("sample", "ckpt", "--n", "50", "--seed", "1", "--out", "s.csv");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.Equal(50, File.ReadAllLines(Path.Combine(work, "s.csv")).Length);
        Assert.Equal(File.ReadAllText(Path.Combine(work, "s.csv")), Loom("sample", "ckpt", "--n", "50", "--seed", "1").Stdout);
        var score = Loom("score", "ckpt", "--data", "s.csv");
        Assert.True(score.ExitCode == 0, score.ToString());
        Assert.Contains("units          50 samples", score.Stdout);
    }

    [Fact]
    public void BadInputGetsOneLineAndNoPartialOutput()
    {
        CliAssert.OneLineError(Loom("train", "gmm", "--data", "missing.csv", "--out", "o1"), 1, "missing.csv: no such file");
        Assert.False(Directory.Exists(Path.Combine(work, "o1")));
        File.WriteAllText(Path.Combine(work, "nan.csv"), "1,2\n3,NaN\n");
        CliAssert.OneLineError(Loom("train", "gmm", "--data", "nan.csv", "--out", "o2"), 1, "NaN");
        Assert.False(Directory.Exists(Path.Combine(work, "o2")));
        File.WriteAllBytes(Path.Combine(work, "latin1.txt"), [0x41, 0xE9, 0x0A]);
        CliAssert.OneLineError(Loom("train", "ngram", "--data", "latin1.txt", "--out", "o3"), 1, "not valid UTF-8");
        File.WriteAllText(Path.Combine(work, "empty.txt"), "");
        CliAssert.OneLineError(Loom("train", "ngram", "--data", "empty.txt", "--out", "o4"), 1, "empty");
        CliAssert.OneLineError(Loom("train", "gmm", "--data", "moons", "--out", "o5", "--covariance", "round"), 2, "--covariance");
        CliAssert.OneLineError(Loom("train", "gmm", "--data", "moons"), 2, "--out");
        CliAssert.OneLineError(Loom("sample", "no-such-ckpt"), 1, "no such checkpoint folder");
        CliAssert.OneLineError(Loom("frobnicate"), 2, "frobnicate");
        CliAssert.OneLineError(Loom("train", "ngram", "--data", "tinyshakespeare", "--out", "o6", "--order", "0"), 2, "--order");
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var r = Loom("sample", "no-such-ckpt", "--verbose");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("   at ", r.Stderr);
    }
}
