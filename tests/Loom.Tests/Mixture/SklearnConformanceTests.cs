using System.Text.Json.Nodes;
using Loom.Models.Mixture;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Mixture;

/// <summary>EM from the same initialisation converges to scikit-learn 1.2's results (tests/fixtures/sklearn_gmm_reference.json).</summary>
public class SklearnConformanceTests
{
    private static readonly JsonObject Reference =
        JsonNode.Parse(File.ReadAllText(RepoPaths.Fixture("sklearn_gmm_reference.json")))!.AsObject();

    private static Tensor Matrix(JsonNode node) =>
        torch.tensor(node.AsArray().SelectMany(r => r!.AsArray().Select(v => v!.GetValue<double>())).ToArray(),
        [node.AsArray().Count, node.AsArray()[0]!.AsArray().Count], ScalarType.Float64);

    private static Tensor Nested(JsonNode node) => node switch
    {
        JsonArray a when a.Count > 0 && a[0] is JsonArray => torch.stack(a.Select(x => Nested(x!)).ToArray()),
        JsonArray a => torch.tensor(a.Select(v => v!.GetValue<double>()).ToArray(), ScalarType.Float64),
        _ => throw new InvalidOperationException(),
    };

    [Theory]
    [InlineData("full_2d")]
    [InlineData("diag_5d")]
    public void ConvergesToScikitLearnsResult(string name)
    {
        var c = Reference[name]!.AsObject();
        var type = CovarianceTypes.Parse(c["covariance_type"]!.GetValue<string>());
        int k = c["k"]!.GetValue<int>();
        var x = Matrix(c["data"]!);
        long d = x.shape[1];
        Assert.Equal("identity", c["precisions_init"]!.GetValue<string>());
        var precisionsInit = type == CovarianceType.Full ? torch.eye(d, dtype: ScalarType.Float64).expand(k, d, d).clone()
            : torch.ones([k, d], ScalarType.Float64);
        var options = new GaussianMixtureOptions
        {
            Components = k,
            CovarianceType = type,
            Tol = c["tol"]!.GetValue<double>(),
            MaxIter = c["max_iter"]!.GetValue<int>(),
            RegCovar = c["reg_covar"]!.GetValue<double>(),
            MeansInit = Matrix(c["means_init"]!),
            WeightsInit = Nested(c["weights_init"]!),
            PrecisionsInit = precisionsInit,
        };
        using var model = GaussianMixture.Fit(x, options);

        Assert.Equal(c["converged"]!.GetValue<bool>(), model.FitInfo.Converged);
        Assert.Equal(c["n_iter"]!.GetValue<int>(), model.FitInfo.Iterations);
        AssertClose(Nested(c["weights"]!), model.Weights, 1e-4);
        AssertClose(Nested(c["means"]!), model.Means, 1e-4);
        AssertClose(Nested(c["covariances"]!), model.Covariances, 1e-4);
        NumericAssert.Close(c["mean_log_likelihood"]!.GetValue<double>(), model.MeanLogLikelihood(x), relative: 1e-6, absolute: 1e-9);
        NumericAssert.Close(c["bic"]!.GetValue<double>(), model.Bic(x), relative: 1e-6, absolute: 1e-9);
        NumericAssert.Close(c["aic"]!.GetValue<double>(), model.Aic(x), relative: 1e-6, absolute: 1e-9);
        var first10 = c["first_10_sample_log_likelihood"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var ours = model.ScoreSamples(x)[..10].data<double>().ToArray();
        for (int i = 0; i < 10; i++)
            NumericAssert.Close(first10[i], ours[i], relative: 1e-6, absolute: 1e-9);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol)
    {
        Assert.Equal(expected.shape, actual.shape);
        var diff = (expected - actual).abs().max().item<double>();
        Assert.True(diff <= tol, $"max abs difference {diff:E3} > {tol:E1}");
    }
}
