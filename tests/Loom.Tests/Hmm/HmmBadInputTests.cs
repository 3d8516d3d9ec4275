using Loom.Core;
using Loom.Models.Hmm;
using static TorchSharp.torch;

namespace Loom.Tests.Hmm;

public class HmmBadInputTests
{
    private static readonly HmmOptions Categorical = new() { States = 2, Emission = HmmEmission.Categorical, MaxIter = 3 };
    private static readonly HmmOptions Diag = new() { States = 2, Emission = HmmEmission.GaussianDiag, MaxIter = 3 };

    [Fact]
    public void SymbolOutOfRangeIsADataError()
    {
        using var model = HmmTestModels.Categorical3();   // symbols 0..3
        var e = Assert.Throws<LoomDataException>(() => model.LogLikelihood(tensor(new long[] { 0, 1, 4 })));
        Assert.Contains("symbol 4", e.Message);
        Assert.Throws<LoomDataException>(() => model.Viterbi(tensor(new long[] { -1, 0 })));
        Assert.Throws<LoomDataException>(() =>
            HiddenMarkovModel.Fit(new[] { tensor(new long[] { 0, 1 }), tensor(new long[] { 2, -3 }) }, Categorical));
        Assert.Throws<LoomDataException>(() =>
            HiddenMarkovModel.Fit(new[] { tensor(new long[] { 0, 5 }) }, Categorical with { Symbols = 3 }));
    }

    [Fact]
    public void NonIntegerSymbolsAreADataError()
    {
        using var model = HmmTestModels.Categorical3();
        Assert.Throws<LoomDataException>(() => model.LogLikelihood(tensor(new[] { 0.0, 1.0 })));
        Assert.Throws<LoomDataException>(() => model.LogLikelihood(tensor(new long[,] { { 0, 1 } })));
    }

    [Fact]
    public void NaNOrInfinityIsADataError()
    {
        using var model = HmmTestModels.Separated2();
        Assert.Contains("NaN", Assert.Throws<LoomDataException>(() => model.LogLikelihood(tensor(new[,] { { 0.0, double.NaN } }))).Message);
        Assert.Throws<LoomDataException>(() => model.Posteriors(tensor(new[,] { { double.PositiveInfinity, 0.0 } })));
        Assert.Throws<LoomDataException>(() => HiddenMarkovModel.Fit(new[] { tensor(new[,] { { 0.0, 1.0 }, { double.NaN, 1.0 } }) }, Diag));
    }

    [Fact]
    public void EmptySequencesAndEmptyDataAreDataErrors()
    {
        using var model = HmmTestModels.Categorical3();
        Assert.Contains("empty", Assert.Throws<LoomDataException>(() => model.LogLikelihood(zeros(0, dtype: ScalarType.Int64))).Message);
        Assert.Throws<LoomDataException>(() => HiddenMarkovModel.Fit(Array.Empty<Tensor>(), Categorical));
        Assert.Throws<LoomDataException>(() =>
            HiddenMarkovModel.Fit(new[] { tensor(new long[] { 1, 0 }), zeros(0, dtype: ScalarType.Int64) }, Categorical));
        Assert.Throws<LoomDataException>(() => HiddenMarkovModel.Fit(new[] { zeros(0, 2, dtype: ScalarType.Float64) }, Diag));
    }

    [Fact]
    public void DimensionMismatchIsADataError()
    {
        using var model = HmmTestModels.Separated2();   // 2-D
        var e = Assert.Throws<LoomDataException>(() => model.LogLikelihood(zeros(4, 3, dtype: ScalarType.Float64)));
        Assert.Contains("3 dimensions", e.Message);
        Assert.Throws<LoomDataException>(() =>
            HiddenMarkovModel.Fit(new[] { zeros(5, 2, dtype: ScalarType.Float64), zeros(5, 3, dtype: ScalarType.Float64) }, Diag));
        Assert.Throws<LoomDataException>(() =>
            HiddenMarkovModel.Fit(new[] { zeros(1, 2, dtype: ScalarType.Float64) }, Diag));   // fewer points than states
    }

    [Fact]
    public void BadOptionsAreUsageErrors()
    {
        var data = new[] { tensor(new long[] { 0, 1, 1 }) };
        Assert.Throws<LoomUsageException>(() => HiddenMarkovModel.Fit(data, Categorical with { States = 0 }));
        Assert.Throws<LoomUsageException>(() => HiddenMarkovModel.Fit(data, Categorical with { Init = HmmInit.KMeans }));
        Assert.Throws<LoomUsageException>(() => HiddenMarkovModel.Fit(data, Categorical with { MinCovar = -1 }));
        Assert.Throws<LoomUsageException>(() => HiddenMarkovModel.Fit(data, Categorical with { Tol = double.NaN }));
        Assert.Throws<LoomUsageException>(() => HiddenMarkovModel.Fit(data, Diag with { Symbols = 4 }));
        Assert.Throws<LoomUsageException>(() => HmmOptions.ParseEmission("poisson"));
        Assert.Equal(HmmEmission.GaussianFull, HmmOptions.ParseEmission("gaussian-full"));
    }

    [Fact]
    public void NonPositiveDefiniteCovarianceIsADataError()
    {
        var covars = tensor(new[] { 1.0, 2.0, 2.0, 1.0 }, new long[] { 1, 2, 2 });
        Assert.Contains("positive definite", Assert.Throws<LoomDataException>(() =>
            HiddenMarkovModel.Gaussian(tensor(new[] { 1.0 }), tensor(new[,] { { 1.0 } }), zeros(1, 2, dtype: ScalarType.Float64), covars))
                .Message);
    }
}
