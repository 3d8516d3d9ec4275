using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Mixture;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Mixture;

public class GaussianMixtureTests
{
    private static readonly double[,] TrueMeans = { { -4, 0 }, { 4, 1 }, { 0, 6 } };

    /// <summary>Three well-separated anisotropic blobs, 600 points each.</summary>
    private static Tensor Blobs(long seed, int perBlob = 600)
    {
        var g = Seeding.Generator(seed, "blobs");
        var parts = new List<Tensor>();
        for (int c = 0; c < 3; c++)
        {
            var z = torch.randn([perBlob, 2], ScalarType.Float64, generator: g);
            var scale = torch.tensor(new[] { 1.0, 0.3 + 0.2 * c }, ScalarType.Float64);
            parts.Add(z * scale + torch.tensor(new[] { TrueMeans[c, 0], TrueMeans[c, 1] }, ScalarType.Float64));
        }
        return torch.cat(parts, 0);
    }

    /// <summary>Mixture density computed the textbook way: explicit inverse and determinant per component.</summary>
    private static Tensor NaiveLogLikelihood(GaussianMixture m, Tensor x)
    {
        long k = m.Components, d = m.Dimensions;
        Tensor FullCov(long c) => m.CovarianceType switch
        {
            CovarianceType.Full => m.Covariances[c],
            CovarianceType.Tied => m.Covariances,
            CovarianceType.Diag => torch.diag(m.Covariances[c]),
            _ => torch.eye(d, dtype: ScalarType.Float64) * m.Covariances[c],
        };
        var density = torch.zeros(x.shape[0], dtype: ScalarType.Float64);
        for (long c = 0; c < k; c++)
        {
            var cov = FullCov(c);
            var diff = x - m.Means[c];
            var quad = (diff.matmul(torch.linalg.inv(cov)) * diff).sum(1);
            var norm = Math.Pow(2 * Math.PI, d / 2.0) * Math.Sqrt(torch.linalg.det(cov).item<double>());
            density += m.Weights[c] * (-0.5 * quad).exp() / norm;
        }
        return density.log();
    }

    [Theory]
    [InlineData("full")]
    [InlineData("tied")]
    [InlineData("diag")]
    [InlineData("spherical")]
    public void LogLikelihoodMatchesTheTextbookDensityForEveryCovarianceType(string type)
    {
        var x = Blobs(1);
        using var m =
            GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 3, CovarianceType = CovarianceTypes.Parse(type), Seed = 2 });
        var ours = m.ScoreSamples(x);
        var naive = NaiveLogLikelihood(m, x);
        Assert.True((ours - naive).abs().max().item<double>() < 1e-9);
        Assert.True(m.FitInfo.Converged);
    }

    [Theory]
    [InlineData(MixtureInit.KMeans)]
    [InlineData(MixtureInit.KMeansPlusPlus)]
    [InlineData(MixtureInit.RandomFromData)]
    public void RecoversWellSeparatedComponents(MixtureInit init)
    {
        var x = Blobs(3);
        using var m = GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 3, Init = init, NInit = 3, Seed = 5 });
        var means = m.Means.data<double>().ToArray();
        for (int c = 0; c < 3; c++)
        {
            double best =
                Enumerable.Range(0, 3).Min(j => Math.Abs(means[2 * j] - TrueMeans[c, 0]) + Math.Abs(means[2 * j + 1] - TrueMeans[c, 1]));
            Assert.True(best < 0.15, $"no fitted mean near ({TrueMeans[c, 0]}, {TrueMeans[c, 1]}): {string.Join(", ", means)}");
        }
        foreach (var w in m.Weights.data<double>().ToArray())
            Assert.InRange(w, 0.3, 0.37);
    }

    [Fact]
    public void SamplesHaveTheMixturesMeanAndCovariance()
    {
        using var m = GaussianMixture.Fit(Blobs(4), new GaussianMixtureOptions { Components = 3, Seed = 1 });
        var s = ((TensorSamples)m.Sample(new SampleRequest { Count = 40000, Seed = 9 })).Values;
        var mixtureMean = (m.Weights.unsqueeze(1) * m.Means).sum(0L);
        var centered = m.Means - mixtureMean;
        var mixtureCov = (m.Weights.reshape(-1, 1, 1) * (m.Covariances + centered.unsqueeze(2).matmul(centered.unsqueeze(1)))).sum(0L);
        Assert.True((s.mean([0]) - mixtureMean).abs().max().item<double>() < 0.05);
        var sampleCov = (s - s.mean([0])).t().matmul(s - s.mean([0])) / (s.shape[0] - 1);
        Assert.True(((sampleCov - mixtureCov).abs() / mixtureCov.abs().max()).max().item<double>() < 0.03);
        var again = ((TensorSamples)m.Sample(new SampleRequest { Count = 40000, Seed = 9 })).Values;
        Assert.True(s.equal(again).all().item<bool>());
    }

    [Fact]
    public void SameSeedSameFitAndCheckpointRoundTrip()
    {
        var x = Blobs(6);
        var options = new GaussianMixtureOptions { Components = 3, CovarianceType = CovarianceType.Diag, Seed = 11 };
        using var a = GaussianMixture.Fit(x, options);
        using var b = GaussianMixture.Fit(x, options);
        Assert.True(a.Means.equal(b.Means).all().item<bool>());
        var dir = Path.Combine(RepoPaths.NewTempDir(), "gmm");
        Checkpoint.Save(dir, a, new ModelCard());
        using var loaded = (GaussianMixture)Checkpoint.Load(dir);
        Assert.True(a.ScoreSamples(x).equal(loaded.ScoreSamples(x)).all().item<bool>());
        Assert.Equal(a.FitInfo, loaded.FitInfo);
        var csv = Path.Combine(dir, "x.csv");
        NumericCsv.Write(csv, x);
        var report = loaded.Score(csv);
        Assert.Equal(x.shape[0], report.Units);
        Assert.Equal(-a.MeanLogLikelihood(x), report.NllPerUnit, 9);
    }

    [Fact]
    public void BadInputIsAClearError()
    {
        var x = Blobs(7);
        Assert.Contains("NaN", Assert.Throws<LoomDataException>(() => GaussianMixture.Fit(torch.tensor(new[]
        {
            1.0, double.NaN, 2, 3
        }, [2, 2]), new GaussianMixtureOptions())).Message);
        Assert.Contains("fewer than",
            Assert.Throws<LoomDataException>(() => GaussianMixture.Fit(x[..2], new GaussianMixtureOptions { Components = 3 })).Message);
        Assert.Contains("Components",
            Assert.Throws<LoomUsageException>(() => GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 0 })).Message);
        Assert.Contains("means init", Assert.Throws<LoomUsageException>(() => GaussianMixture.Fit(x, new GaussianMixtureOptions
        {
            Components = 2, MeansInit = torch.zeros(3, 2)
        })).Message);
        using var m = GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 2 });
        var csv = Path.Combine(RepoPaths.NewTempDir(), "three.csv");
        File.WriteAllText(csv, "1,2,3\n4,5,6\n");
        Assert.Contains("3 columns", Assert.Throws<LoomDataException>(() => m.Score(csv)).Message);
    }

    [Fact]
    public void EmIterationsDoNotLeakTensors()
    {
        var x = Blobs(8);
        long Run(int iterations)
        {
            long before = TensorCounts.Live;
            using (GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 3, MaxIter = iterations, Tol = 0, Seed = 1 })) { }
            return TensorCounts.Live - before;
        }
        Run(2); // warm-up: lazily created constants
        Assert.Equal(Run(3), Run(12));
    }
}
