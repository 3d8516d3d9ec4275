using Loom.Core;
using Loom.Evaluation.Distribution;
using Loom.Evaluation.Memorization;
using static TorchSharp.torch;

namespace Loom.Tests.Evaluation;

/// <summary>The batched metrics against plain double loops over the definitions, on small random sets.</summary>
public sealed class NaiveReferenceTests
{
    private static double[][] Rows(Tensor t)
    {
        var v = t.to(ScalarType.Float64).contiguous().data<double>().ToArray();
        int d = (int)t.shape[1];
        return Enumerable.Range(0, (int)t.shape[0]).Select(i => v.AsSpan(i * d, d).ToArray()).ToArray();
    }

    private static double Dist(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());

    private static double KthRadius(double[][] set, int i, int k) =>
        set.Where((_, j) => j != i).Select(p => Dist(set[i], p)).Order().ElementAt(k - 1);

    private static (Tensor Real, Tensor Fake) Sets(long seed, int n = 60, int m = 50, int d = 3)
    {
        using var g = Seeding.Generator(seed);
        var real = randn([n, d], generator: g, dtype: ScalarType.Float64);
        var fake = randn([m, d], generator: g, dtype: ScalarType.Float64) * 1.3 + 0.4;
        return (real, fake);
    }

    [Fact]
    public void ManifoldMetricsMatchTheirDefinitions()
    {
        var (realT, fakeT) = Sets(11);
        using (realT)
        using (fakeT)
        {
            var result = ManifoldMetrics.Compute(realT, fakeT, 3, 5);
            var real = Rows(realT);
            var fake = Rows(fakeT);
            var r3 = real.Select((_, i) => KthRadius(real, i, 3)).ToArray();
            var f3 = fake.Select((_, i) => KthRadius(fake, i, 3)).ToArray();
            var r5 = real.Select((_, i) => KthRadius(real, i, 5)).ToArray();
            double precision = fake.Count(y => real.Select((x, i) => Dist(x, y) <= r3[i]).Any(b => b)) / (double)fake.Length;
            double recall = real.Count(x => fake.Select((y, j) => Dist(x, y) <= f3[j]).Any(b => b)) / (double)real.Length;
            double density = fake.Sum(y => real.Select((x, i) => Dist(x, y) <= r5[i] ? 1 : 0).Sum()) / (5.0 * fake.Length);
            double coverage = real.Select((x, i) => fake.Min(y => Dist(x, y)) <= r5[i]).Count(b => b) / (double)real.Length;
            Assert.Equal(precision, result.Precision, 12);
            Assert.Equal(recall, result.Recall, 12);
            Assert.Equal(density, result.Density, 12);
            Assert.Equal(coverage, result.Coverage, 12);
            Assert.InRange(result.Precision, 0.05, 0.999);
        }
    }

    [Fact]
    public void RbfMmdMatchesDoubleLoop()
    {
        var (realT, fakeT) = Sets(12, 40, 30, 2);
        using (realT)
        using (fakeT)
        {
            var result = MaximumMeanDiscrepancy.Rbf(realT, fakeT, bandwidths: [0.8]);
            var x = Rows(realT);
            var y = Rows(fakeT);
            double K(double[] a, double[] b) => Math.Exp(-Math.Pow(Dist(a, b), 2) / (2 * 0.8 * 0.8));
            double xx = 0, yy = 0, xy = 0;
            for (int i = 0; i < x.Length; i++) for (int j = 0; j < x.Length; j++) if (i != j) xx += K(x[i], x[j]);
            for (int i = 0; i < y.Length; i++) for (int j = 0; j < y.Length; j++) if (i != j) yy += K(y[i], y[j]);
            foreach (var a in x) foreach (var b in y) xy += K(a, b);
            double expected =
                xx / (x.Length * (x.Length - 1.0)) + yy / (y.Length * (y.Length - 1.0)) - 2 * xy / (x.Length * (double)y.Length);
            Assert.Equal(expected, result.Mmd2, 10);
            var pooled = x.Concat(y).ToArray();
            var pairs = new List<double>();
            for (int i = 0; i < pooled.Length; i++) for (int j = i + 1; j < pooled.Length; j++) pairs.Add(Dist(pooled[i], pooled[j]));
            var median = MaximumMeanDiscrepancy.Rbf(realT, fakeT).Bandwidths[3];
            var sorted = pairs.Order().ToArray();
            // torch.median returns the lower of the two middle values for an even count.
            Assert.Equal(sorted[(sorted.Length - 1) / 2], median, 12);
        }
    }

    [Fact]
    public void SameDistributionGivesMmdNearZeroAndShiftedGivesLarge()
    {
        using var g = Seeding.Generator(5);
        var a = randn([400, 2], generator: g, dtype: ScalarType.Float64);
        var b = randn([400, 2], generator: g, dtype: ScalarType.Float64);
        var c = randn([400, 2], generator: g, dtype: ScalarType.Float64) + 2;
        Assert.InRange(MaximumMeanDiscrepancy.Rbf(a, b).Mmd2, -0.03, 0.03);
        Assert.True(MaximumMeanDiscrepancy.Rbf(a, c).Mmd2 > 0.3);
    }

    [Fact]
    public void MembershipAurocMatchesPairCounting()
    {
        var rng = new Random(4);
        var members = Enumerable.Range(0, 57).Select(_ => Math.Round(rng.NextDouble() * 3, 1)).ToArray();
        var others = Enumerable.Range(0, 43).Select(_ => Math.Round(rng.NextDouble() * 3 + 0.5, 1)).ToArray();
        double wins = 0;
        foreach (var m in members)
            foreach (var o in others)
                wins += m < o ? 1 : m == o ? 0.5 : 0;
        var result = MembershipInference.LossThreshold(members, others);
        Assert.Equal(wins / (members.Length * others.Length), result.Auroc, 12);
        double bestAdvantage = members.Concat(others).Distinct()
            .Max(t => members.Count(v => v <= t) / (double)members.Length - others.Count(v => v <= t) / (double)others.Length);
        Assert.Equal(Math.Max(0, bestAdvantage), result.Advantage, 12);
        Assert.Equal(0.5, MembershipInference.LossThreshold([1, 2, 3], [1, 2, 3]).Auroc, 12);
        Assert.Equal(1.0, MembershipInference.LossThreshold([0.1, 0.2], [0.5, 0.9]).Auroc, 12);
    }

    [Fact]
    public void MemorizationDistanceAndProximityMatchLoops()
    {
        var (trainT, sampleT) = Sets(13, 50, 20, 4);
        using (trainT)
        using (sampleT)
        {
            var train = Rows(trainT);
            var samples = Rows(sampleT);
            double Cos(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum() / Math.Sqrt(a.Sum(x => x * x) * b.Sum(x => x * x));
            double expected = samples.Average(s => train.Min(t => 1 - Math.Abs(Cos(s, t))));
            Assert.Equal(expected, MiFid.MemorizationDistance(sampleT, trainT), 10);
            Assert.Equal(60.0, MiFid.Compute(3.0, 0.05, 0.1).MiFid, 10);
            Assert.Equal(3.0, MiFid.Compute(3.0, 0.5, 0.1).MiFid, 10);

            var proximity = TrainingSetProximity.Compute(sampleT, trainT, trainT[..10]);
            for (int i = 0; i < samples.Length; i++)
            {
                var nearest = Enumerable.Range(0, train.Length).MinBy(j => Dist(samples[i], train[j]));
                Assert.Equal(nearest, proximity.SampleNeighbours[i]);
                Assert.Equal(Dist(samples[i], train[nearest]), proximity.SampleDistances[i], 10);
            }
            // Held-out rows that are training rows sit at distance 0.
            Assert.Equal(0, proximity.MedianHeldOutDistance!.Value, 10);
            var copies = TrainingSetProximity.Compute(trainT[..5], trainT);
            Assert.All(copies.SampleDistances, d => Assert.InRange(d, 0, 1e-6));
            Assert.Equal(copies.ClosestPairs(5).Select(p => (long)p.Sample).Order(),
                copies.ClosestPairs(5).Select(p => p.Training).Order());
        }
    }

    [Fact]
    public void HistogramTotalVariationIsZeroForSameSetAndOneForDisjoint()
    {
        using var g = Seeding.Generator(6);
        var a = randn([500, 2], generator: g, dtype: ScalarType.Float64);
        Assert.Equal(0, Histogram2D.Compute(a, a).TotalVariation, 12);
        var far = Histogram2D.Compute(a, a + 100);
        Assert.Equal(1, far.TotalVariation, 6);
    }
}
