using Loom.Core;
using Loom.Data.Tables;
using Loom.Evaluation.Tables;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Tabular;
using Loom.Tests.Support;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// The Gaussian copula keeps marginals (KS small), correlations, missing rates, types, rounding and ranges; samples are
/// reproducible and survive a checkpoint; conditions fix categorical and numeric columns.
/// </summary>
public sealed class GaussianCopulaTests : IDisposable
{
    private readonly TempFolder work = new();
    private static readonly Table Real = CopulaFixtures.GaussianTable(3000, 1);
    private static readonly GaussianCopula Model = GaussianCopula.Fit(Real, "auto", 0);

    public void Dispose() => work.Dispose();

    private static Table Draw(int count, long seed, TableConditions? conditions = null)
    {
        var request = new SampleRequest { Count = count, Seed = seed };
        return ((TableSamples)Model.Sample(conditions is null ? request : request.With(conditions))).Table;
    }

    [Fact]
    public void KeepsMarginalsAndCorrelationOfAGaussianTable()
    {
        var synthetic = Draw(3000, 5);
        foreach (var name in new[] { "x", "y", "day" })
            Assert.True(TableStatistics.KolmogorovSmirnov(Real.Column(name)!.Numbers!, synthetic.Column(name)!.Numbers!) < 0.05, name);
        double real = TableStatistics.Pearson(Real.Column("x")!.Numbers!, Real.Column("y")!.Numbers!);
        double synth = TableStatistics.Pearson(synthetic.Column("x")!.Numbers!, synthetic.Column("y")!.Numbers!);
        Assert.InRange(real, 0.6, 0.8);
        Assert.True(Math.Abs(real - synth) < 0.05, $"real {real}, synthetic {synth}");
        var quality = TableQuality.Evaluate(Real, synthetic);
        Assert.True(quality.Overall > 0.9, $"quality {quality.Overall}");
    }

    [Fact]
    public void KeepsTypesRoundingRangesAndMissingRates()
    {
        var synthetic = Draw(3000, 6);
        var x = synthetic.Column("x")!;
        var realX = Real.Column("x")!.Numbers!.Where(v => !double.IsNaN(v)).ToArray();
        Assert.All(x.Numbers!.Where(v => !double.IsNaN(v)), v =>
        {
            Assert.InRange(v, realX.Min(), realX.Max());
            Assert.Equal(Math.Round(v, 2), v);
        });
        Assert.InRange(x.MissingRate(), Real.Column("x")!.MissingRate() - 0.02, Real.Column("x")!.MissingRate() + 0.02);
        Assert.All(synthetic.Column("n")!.Numbers!, v => Assert.True(v == Math.Round(v) && v is >= 1 and <= 5));
        Assert.All(synthetic.Column("day")!.Numbers!, v => Assert.Equal(0, v % 86400));
        Assert.All(synthetic.Column("flag")!.Labels!, v => Assert.Contains(v, new[] { "True", "False" }));
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => i.ToString()), synthetic.Column("id")!.Labels!);
        // The CSV reads back with the real metadata: every value is in its column's domain.
        synthetic.Write(work.File("s.csv"));
        Assert.Equal(3000, Table.ReadAs(work.File("s.csv"), Real.Metadata).RowCount);
    }

    [Fact]
    public void SamplesAreReproducibleAndSurviveACheckpoint()
    {
        Checkpoint.Save(work.Path, Model, new ModelCard());
        using var loaded = Checkpoint.Load(work.Path);
        var again = ((TableSamples)loaded.Sample(new SampleRequest { Count = 50, Seed = 3 })).Table;
        Assert.Equal(Draw(50, 3).ToCsv(), again.ToCsv());
        Assert.NotEqual(Draw(50, 3).ToCsv(), Draw(50, 4).ToCsv());
    }

    [Fact]
    public void ConditionsFixCategoricalAndNumericColumnsAndShiftTheRest()
    {
        var low = Draw(1000, 7, TableConditions.Parse(["level=low"]));
        var high = Draw(1000, 7, TableConditions.Parse(["level=high"]));
        Assert.All(low.Column("level")!.Labels!, v => Assert.Equal("low", v));
        double Mean(Table t, string c) => t.Column(c)!.Numbers!.Where(v => !double.IsNaN(v)).Average();
        Assert.True(Mean(low, "x") + 1 < Mean(high, "x"), $"{Mean(low, "x")} vs {Mean(high, "x")}");
        var atX = Draw(1000, 8, TableConditions.Parse(["x=13.5", "flag=True"]));
        Assert.All(atX.Column("x")!.Numbers!, v => Assert.Equal(13.5, v));
        Assert.All(atX.Column("flag")!.Labels!, v => Assert.Equal("True", v));
        // y given x = 13.5 (z_x = 1.75): about 0.7 · 1.75 in normal space.
        Assert.InRange(Mean(atX, "y"), 0.9, 1.6);
    }

    [Fact]
    public void ConstantColumnsStayConstant()
    {
        var csv = "a,c,k\n" + string.Join("\n", Enumerable.Range(0, 200).Select(i => $"{i % 17},{(i % 10 == 0 ? "" : "2.5")},same")) + "\n";
        var table = Table.Parse(csv, "constant.csv");
        var model = GaussianCopula.Fit(table, "auto", 0);
        var synthetic = ((TableSamples)model.Sample(new SampleRequest { Count = 500, Seed = 1 })).Table;
        Assert.All(synthetic.Column("c")!.Numbers!.Where(v => !double.IsNaN(v)), v => Assert.Equal(2.5, v));
        Assert.InRange(synthetic.Column("c")!.MissingRate(), 0.04, 0.16);
        Assert.All(synthetic.Column("k")!.Labels!, v => Assert.Equal("same", v));
        Assert.True(TableStatistics.KolmogorovSmirnov(table.Column("a")!.Numbers!, synthetic.Column("a")!.Numbers!) < 0.1);
    }

    [Theory]
    [InlineData("level=mid", "'mid' never occurs in column 'level'")]
    [InlineData("colour=red", "'colour' is not a column")]
    [InlineData("id=3", "'id' is an id column")]
    [InlineData("x=99", "outside the range seen in training")]
    [InlineData("n=2.5", "not a whole number")]
    [InlineData("level", "expected col=value")]
    public void BadConditionsAreUsageErrors(string condition, string message)
    {
        var e = Assert.Throws<LoomUsageException>(() => Draw(5, 0, TableConditions.Parse([condition])));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void MarginalsAreChosenByKolmogorovSmirnov()
    {
        var random = new Random(2);
        var normal = Enumerable.Range(0, 2000).Select(_ => 5 + CopulaFixtures.Normal(random)).ToArray();
        var bimodal = Enumerable.Range(0, 2000).Select(i => (i % 2 == 0 ? -4 : 4) + 0.3 * CopulaFixtures.Normal(random)).ToArray();
        Assert.NotEqual("empirical", MarginalFit.Fit(normal, "auto").Name);
        Assert.Equal("empirical", MarginalFit.Fit(bimodal, "auto").Name);
        foreach (var name in new[] { "uniform", "truncnorm", "beta", "empirical" })
        {
            var marginal = MarginalFit.Fit(normal, name);
            Assert.Equal(name, marginal.Name);
            Assert.Equal(normal.Min(), marginal.Quantile(0), 9);
            Assert.Equal(normal.Max(), marginal.Quantile(1), 9);
            foreach (var u in new[] { 0.1, 0.5, 0.9 })
                Assert.Equal(u, marginal.Cdf(marginal.Quantile(u)), 6);
        }
    }

    [Fact]
    public void NormalAndBetaFunctionsInvertAndSatisfyTheirIdentities()
    {
        foreach (var z in new[] { -7.0, -2.5, -0.3, 0, 0.7, 3.1, 5 })
            Assert.Equal(z, Distributions.NormalQuantile(Distributions.NormalCdf(z)), 7);
        Assert.Equal(1 - Distributions.NormalCdf(1.3), Distributions.NormalCdf(-1.3), 15);
        foreach (var x in new[] { 0.1, 0.42, 0.9 })
        {
            Assert.Equal(x * x, Distributions.RegularizedBeta(x, 2, 1), 12);
            Assert.Equal(1 - Distributions.RegularizedBeta(1 - x, 3.5, 1.2), Distributions.RegularizedBeta(x, 1.2, 3.5), 12);
            Assert.Equal(x, Distributions.BetaQuantile(Distributions.RegularizedBeta(x, 2.5, 4), 2.5, 4), 10);
        }
    }
}
