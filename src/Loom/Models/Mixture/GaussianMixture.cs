using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Mixture;

/// <summary>
/// A Gaussian mixture over vectors, fitted by EM with scikit-learn's semantics (same initialisation choices,
/// regularisation, convergence test and BIC/AIC), on batched float64 tensor ops.
/// Data files for <see cref="Score"/> are numeric CSV (one sample per row). Log-likelihoods are in nats per sample.
/// </summary>
public sealed partial class GaussianMixture : IGenerativeModel, ILikelihoodModel, IExampleScorer
{
    public const string KindName = "gmm";

    internal GaussianMixture(Tensor weights, Tensor means, Tensor precisionsCholesky, CovarianceType type, MixtureFitInfo info)
    {
        // The model owns its tensors (Dispose frees them): detach them from any dispose scope the caller is in.
        Weights = weights.DetachFromDisposeScope();
        Means = means.DetachFromDisposeScope();
        PrecisionsCholesky = precisionsCholesky.DetachFromDisposeScope();
        CovarianceType = type;
        using (var scope = torch.NewDisposeScope())
            Covariances =
                GaussianMath.CovariancesFromPrecisionCholesky(precisionsCholesky, type).MoveToOuterDisposeScope().DetachFromDisposeScope();
        FitInfo = info;
    }

    public string Kind => KindName;
    /// <summary>Mixing weights [k].</summary>
    public Tensor Weights { get; }
    /// <summary>Component means [k,d].</summary>
    public Tensor Means { get; }
    /// <summary>Covariances in the type's shape (full [k,d,d], tied [d,d], diag [k,d], spherical [k]).</summary>
    public Tensor Covariances { get; }
    /// <summary>Cholesky factors of the precisions, same shape as <see cref="Covariances"/>.</summary>
    public Tensor PrecisionsCholesky { get; }
    public CovarianceType CovarianceType { get; }
    public MixtureFitInfo FitInfo { get; }
    public int Components => (int)Means.shape[0];
    public int Dimensions => (int)Means.shape[1];

    /// <summary>Per-sample log-likelihood log p(x_i) in nats: [n].</summary>
    public Tensor ScoreSamples(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return WeightedLogProb(Check(x, "data")).logsumexp(1).MoveToOuterDisposeScope();
    }

    /// <summary>Mean log-likelihood per sample (scikit-learn's <c>score</c>).</summary>
    public double MeanLogLikelihood(Tensor x)
    {
        using var s = ScoreSamples(x);
        return s.mean().item<double>();
    }

    /// <summary>Posterior component probabilities [n,k].</summary>
    public Tensor PredictProba(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var w = WeightedLogProb(Check(x, "data"));
        return (w - w.logsumexp(1, keepdim: true)).exp().MoveToOuterDisposeScope();
    }

    /// <summary>Most probable component per sample [n].</summary>
    public Tensor Predict(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return WeightedLogProb(Check(x, "data")).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>Number of free parameters (for BIC/AIC).</summary>
    public long ParameterCount => CovarianceType.ParameterCount(Components, Dimensions) + (long)Components * Dimensions + Components - 1;

    public double Bic(Tensor x) => -2 * MeanLogLikelihood(x) * x.shape[0] + ParameterCount * Math.Log(x.shape[0]);

    public double Aic(Tensor x) => -2 * MeanLogLikelihood(x) * x.shape[0] + 2 * ParameterCount;

    /// <summary>
    /// Draws <c>request.Count</c> points [n,d]: a component per point from the weights, then a Gaussian draw whose offset
    /// from the component mean is scaled by <c>request.Temperature</c> (covariance × T²; 1 samples the fitted model).
    /// </summary>
    public SampleSet Sample(SampleRequest request)
    {
        PriorLatents.CheckTemperature(request.Temperature);
        using var scope = torch.NewDisposeScope();
        var g = Seeding.Generator(request.Seed, "gmm-sample", Weights.device);
        var components = torch.multinomial(Weights, request.Count, replacement: true, generator: g); // [n]
        var z = torch.randn([request.Count, Dimensions], dtype: Means.dtype, device: Means.device, generator: g);
        var mean = Means.index_select(0, components);
        Tensor offset = CovarianceType switch
        {
            CovarianceType.Full => torch.linalg.cholesky(Covariances).index_select(0, components).matmul(z.unsqueeze(2)).squeeze(2),
            CovarianceType.Tied => z.matmul(torch.linalg.cholesky(Covariances).t()),
            CovarianceType.Diag => z * Covariances.sqrt().index_select(0, components),
            _ => z * Covariances.sqrt().index_select(0, components).unsqueeze(1),
        };
        if (request.Temperature != 1.0) offset = offset * request.Temperature;
        return new TensorSamples((mean + offset).MoveToOuterDisposeScope());
    }

    /// <summary>−log p(x) per row: [n] float64.</summary>
    public Tensor ExampleNll(Tensor examples)
    {
        if (examples.dim() != 2 || examples.shape[1] != Dimensions)
            throw new LoomDataException($"examples must be [n, {Dimensions}], got [{string.Join(", ", examples.shape)}]");
        using var ll = ScoreSamples(examples);
        return ll.neg().to(ScalarType.Float64);
    }

    /// <summary>Scores a numeric CSV file (one sample per row): total NLL in nats over samples.</summary>
    public ScoreReport Score(string dataPath, CancellationToken cancellation = default) =>
        ScoreContent(TextFile.Read(dataPath), dataPath, cancellation);

    /// <summary>Scores numeric CSV text held in memory (one sample per row).</summary>
    public ScoreReport ScoreContent(string data, string source = "data", CancellationToken cancellation = default)
    {
        using var x = NumericCsv.ToTensor(NumericCsv.Parse(data, source, out _), source);
        if (x.shape[1] != Dimensions)
            throw new LoomDataException($"{source}: has {x.shape[1]} columns but the model has {Dimensions} dimensions");
        using var ll = ScoreSamples(x);
        return new ScoreReport(-ll.sum().item<double>(), x.shape[0], "sample");
    }

    public JsonObject GetConfig() => new()
    {
        ["components"] = Components,
        ["dimensions"] = Dimensions,
        ["covariance_type"] = CovarianceType.Name(),
        ["fit"] = FitInfo.ToJson(),
    };

    public IReadOnlyDictionary<string, Tensor> GetState() => new Dictionary<string, Tensor>
    {
        ["weights"] = Weights,
        ["means"] = Means,
        ["precisions_cholesky"] = PrecisionsCholesky,
    };

    public void Dispose()
    {
        Weights.Dispose();
        Means.Dispose();
        Covariances.Dispose();
        PrecisionsCholesky.Dispose();
    }

    internal Tensor WeightedLogProb(Tensor x) =>
        GaussianMath.LogGaussianProb(x, Means, PrecisionsCholesky, CovarianceType) + Weights.log();

    private Tensor Check(Tensor x, string what)
    {
        if (x.dim() != 2 || x.shape[1] != Dimensions)
            throw new LoomDataException($"{what}: expected shape [n, {Dimensions}], got [{string.Join(", ", x.shape)}]");
        return x.to(Means.dtype, Means.device);
    }
}

/// <summary>How a fit went: options used, iterations, convergence and the final lower bound.</summary>
public sealed record MixtureFitInfo(bool Converged, int Iterations, double LowerBound, double Tol, double RegCovar, int MaxIter,
    int NInit, string Init, long Seed)
{
    public JsonObject ToJson() => new()
    {
        ["converged"] = Converged,
        ["n_iter"] = Iterations,
        ["lower_bound"] = LowerBound,
        ["tol"] = Tol,
        ["reg_covar"] = RegCovar,
        ["max_iter"] = MaxIter,
        ["n_init"] = NInit,
        ["init"] = Init,
        ["seed"] = Seed,
    };

    public static MixtureFitInfo FromJson(JsonObject? json) => json is null
        ? new MixtureFitInfo(false, 0, 0, 0, 0, 0, 0, "", 0)
        : new MixtureFitInfo(
            json["converged"]?.GetValue<bool>() ?? false,
            json["n_iter"]?.GetValue<int>() ?? 0,
            json["lower_bound"]?.GetValue<double>() ?? 0,
            json["tol"]?.GetValue<double>() ?? 0,
            json["reg_covar"]?.GetValue<double>() ?? 0,
            json["max_iter"]?.GetValue<int>() ?? 0,
            json["n_init"]?.GetValue<int>() ?? 0,
            json["init"]?.GetValue<string>() ?? "",
            json["seed"]?.GetValue<long>() ?? 0);
}
