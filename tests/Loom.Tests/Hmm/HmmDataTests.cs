using Loom.Core;
using Loom.Models.Hmm;
using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

public sealed class HmmDataTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("loom-hmm-data-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsCategoricalLines()
    {
        var path = WriteFile("seq.txt", "# comment\n0 1 2\n\n3\t0  1 1\n");
        var seqs = HmmData.Read(path, HmmEmission.Categorical);
        Assert.Equal(2, seqs.Count);
        Assert.Equal(new long[] { 0, 1, 2 }, seqs[0].data<long>().ToArray());
        Assert.Equal(new long[] { 3, 0, 1, 1 }, seqs[1].data<long>().ToArray());
    }

    [Fact]
    public void ReadsGaussianCsvWithBlankLinesBetweenSequences()
    {
        var path = WriteFile("seq.csv", "x,y\n1,2\n3,4.5\n\n\n-1,0\n");
        var seqs = HmmData.Read(path, HmmEmission.GaussianDiag);
        Assert.Equal(2, seqs.Count);
        Assert.Equal(new long[] { 2, 2 }, seqs[0].shape);
        Assert.Equal(new[] { 1.0, 2.0, 3.0, 4.5 }, seqs[0].data<double>().ToArray());
        Assert.Equal(new long[] { 1, 2 }, seqs[1].shape);
    }

    [Fact]
    public void WriteThenReadRoundTrips()
    {
        using var model = HmmTestModels.Separated2();
        var samples = HmmTestModels.Sample(model, 3, 7);
        var path = Path.Combine(dir, "round.csv");
        HmmData.Write(path, samples.Observations);
        var back = HmmData.Read(path, HmmEmission.GaussianFull);
        Assert.Equal(3, back.Count);
        for (int i = 0; i < 3; i++)
            Assert.True(HmmBruteForce.Same(samples.Observations[i], back[i]));
        var symbolsPath = Path.Combine(dir, "round.txt");
        HmmData.Write(symbolsPath, samples.States);
        var states = HmmData.Read(symbolsPath, HmmEmission.Categorical);
        Assert.True(HmmBruteForce.Same(samples.States[2], states[2]));
    }

    [Fact]
    public void ScoreIsTotalNllOverSteps()
    {
        using var model = HmmTestModels.Categorical3();
        var path = WriteFile("score.txt", "0 1 2 3\n2 2\n1 0 0\n");
        var report = model.Score(path);
        var expected = -model.LogLikelihoods(HmmData.Read(path, HmmEmission.Categorical)).Sum();
        Assert.Equal(expected, report.TotalNllNats, 10);
        Assert.Equal(9, report.Units);
        Assert.Equal("step", report.Unit);
        var outOfRange = WriteFile("bad.txt", "0 1 9\n");
        Assert.Contains(outOfRange, Assert.Throws<LoomDataException>(() => model.Score(outOfRange)).Message);
    }

    [Theory]
    [InlineData("seq.txt", "0 1 x\n", HmmEmission.Categorical, ":1: symbol 3 is 'x'")]
    [InlineData("seq.txt", "0 -1\n", HmmEmission.Categorical, ":1: symbol 2 is '-1'")]
    [InlineData("seq.txt", "# only a comment\n", HmmEmission.Categorical, "no sequences")]
    [InlineData("seq.csv", "1,2\n3\n", HmmEmission.GaussianDiag, ":2: has 1 columns, expected 2")]
    [InlineData("seq.csv", "1,2\n3,nan\n", HmmEmission.GaussianDiag, ":2: column 2 is nan")]
    [InlineData("seq.csv", "1,2\n3,abc\n", HmmEmission.GaussianFull, ":2: column 2 is 'abc'")]
    [InlineData("seq.csv", "x,y\n", HmmEmission.GaussianDiag, "no observations")]
    public void BadFilesAreOneLineDataErrors(string name, string text, HmmEmission emission, string expected)
    {
        var path = WriteFile(name, text);
        var e = Assert.Throws<LoomDataException>(() => HmmData.Read(path, emission));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MissingAndEmptyFilesAreDataErrors()
    {
        Assert.Throws<LoomDataException>(() => HmmData.Read(Path.Combine(dir, "nope.txt"), HmmEmission.Categorical));
        Assert.Throws<LoomDataException>(() => HmmData.Read(WriteFile("empty.csv", ""), HmmEmission.GaussianDiag));
    }
}
