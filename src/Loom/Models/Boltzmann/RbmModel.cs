using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// A trained RBM. Samples run <see cref="RbmConfig.SampleSteps"/> block Gibbs steps from the base-rate model and return
/// E[v | h] of the last step (pixel probabilities for binary images, data-scale means for Gaussian units). The
/// likelihood is −log p(v) = F(v) + log Z, with log Z exact when a layer has at most
/// <see cref="RbmPartition.MaxEnumeratedUnits"/> units and from annealed importance sampling otherwise (kept in
/// config.json once estimated). Gaussian units score the data's own scale: standardizing adds Σᵢ log σᵢ per example.
/// </summary>
public sealed class RbmModel : IGenerativeModel, ILikelihoodModel, IExampleScorer, IImageGenerator
{
    public const string KindName = "rbm";

    private readonly Tensor baseBias;
    private readonly Tensor? dataMean;
    private readonly Tensor? dataStd;

    /// <summary>The model takes ownership of <paramref name="network"/> and copies the tensors.</summary>
    public RbmModel(RestrictedBoltzmannMachine network, RbmConfig config, Tensor baseBias, Tensor? dataMean = null, Tensor? dataStd = null)
    {
        Network = network;
        Config = config;
        this.baseBias = baseBias.detach().to(ScalarType.Float32).clone();
        this.dataMean = dataMean?.detach().to(ScalarType.Float32).clone();
        this.dataStd = dataStd?.detach().to(ScalarType.Float32).clone();
        if (config.Visible == RbmVisible.Gaussian && (this.dataMean is null || this.dataStd is null))
            throw new LoomDataException("a Gaussian RBM needs the data's mean and standard deviation");
    }

    public RestrictedBoltzmannMachine Network { get; }
    public RbmConfig Config { get; private set; }
    public string Kind => KindName;
    public ImageShape? ImageShape => ImageShape.Of(Config.SampleShape, Config.Images);

    /// <summary>The AIS base-rate visible biases (from the training data). [V].</summary>
    public Tensor BaseVisibleBias => baseBias;

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState()
    {
        var state = Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        state["base_visible_bias"] = baseBias;
        if (dataMean is not null) state["data_mean"] = dataMean;
        if (dataStd is not null) state["data_std"] = dataStd;
        return state;
    }

    /// <summary>
    /// log Z: the saved value, else exact enumeration where a layer is small enough, else AIS with the config's settings;
    /// remembered (and written to config.json when the model is saved).
    /// </summary>
    public LogPartition LogPartition(CancellationToken cancellation = default)
    {
        if (Config.LogPartition is { } known)
            return known;
        var p = Network.Parameters;
        var estimate = RbmPartition.CanEnumerate(p)
            ? new LogPartition(RbmPartition.ExactLogZ(p), 0, "exact")
            : AnnealedImportanceSampling.LogZ(p, baseBias, Config.Ais, cancellation);
        Config = Config with { LogPartition = estimate };
        return estimate;
    }

    /// <summary>Forgets log Z (after the weights change).</summary>
    public void ForgetLogPartition() => Config = Config with { LogPartition = null };

    /// <summary>
    /// Data-space examples ([n, C, H, W] images in [0, 1] or [n, V] vectors) as the RBM's visible rows: binarized with
    /// <paramref name="seed"/> (images) or checked 0/1, or standardized (Gaussian units).
    /// </summary>
    public Tensor Visible(Tensor examples, long seed = 0, string source = "data")
    {
        var flat = examples.reshape(examples.shape[0], -1);
        if (flat.shape[1] != Config.VisibleUnits)
            throw new LoomDataException(
                $"{source}: has {flat.shape[1]} values per example but the rbm has {Config.VisibleUnits} visible units");
        return Config.Visible == RbmVisible.Bernoulli
            ? RbmData.Binary(flat, Config.Images, seed, source)
            : (flat.to(ScalarType.Float32) - dataMean!) / dataStd!;
    }

    /// <summary>−log p(v) in nats of visible rows (already binarized or standardized): F(v) + log Z (+ Σ log σ). [n] float64.</summary>
    public Tensor VisibleNll(Tensor visible, CancellationToken cancellation = default)
    {
        double logZ = LogPartition(cancellation).LogZ;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var p = Network.Parameters.Copy(ScalarType.Float64);
        var nll = p.FreeEnergy(visible.to(ScalarType.Float64)) + logZ;
        if (dataStd is not null) nll += dataStd.to(ScalarType.Float64).log().sum();
        return nll.MoveToOuterDisposeScope();
    }

    /// <summary>−log p(x) of data-space examples (images binarized with seed 0). [n] float64.</summary>
    public Tensor ExampleNll(Tensor examples)
    {
        using var visible = Visible(examples);
        return VisibleNll(visible);
    }

    public ScoreReport Score(string dataPath, CancellationToken cancellation = default)
    {
        using var data = RbmData.Load(dataPath, new DataLoadOptions { Split = FashionMnistSplit.Test });
        return ScoreVisible(Visible(data.Examples, 0, dataPath), cancellation);
    }

    /// <summary>Scores numeric CSV text held in memory (one example per row).</summary>
    public ScoreReport ScoreContent(string data, string source = "data", CancellationToken cancellation = default)
    {
        using var x = NumericCsv.ToTensor(NumericCsv.Parse(data, source, out _), source);
        return ScoreVisible(Visible(x.to(ScalarType.Float32), 0, source), cancellation);
    }

    private ScoreReport ScoreVisible(Tensor visible, CancellationToken cancellation)
    {
        using var owned = visible;
        using var nll = VisibleNll(visible, cancellation);
        var z = LogPartition(cancellation);
        var extra = new Dictionary<string, double> { ["log_z"] = z.LogZ, ["log_z_stderr"] = z.StandardError };
        if (Config.Visible == RbmVisible.Bernoulli)
        {
            using var pl = PseudoLikelihood.Score(Network.Parameters, visible, 0);
            extra["pseudo_ll"] = pl.mean().ToDouble();
        }
        return new ScoreReport(nll.sum().ToDouble(), visible.shape[0], "sample", extra);
    }

    public SampleSet Sample(SampleRequest request)
    {
        if (request.Temperature != 1.0)
            throw LoomUsageException.ForOption("Temperature", "an RBM samples by Gibbs sampling and has no temperature; leave it at 1");
        if (request.Count < 1) throw LoomUsageException.ForOption("Count", $"must be positive, got {request.Count}");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var generator = Seeding.Generator(request.Seed, "rbm-sample");
        var p = Network.Parameters;
        var start = baseBias.expand(request.Count, -1);
        var v0 = Config.Visible == RbmVisible.Bernoulli
            ? torch.bernoulli(torch.sigmoid(start), generator: generator)
            : start + torch.randn(start.shape, generator: generator);
        var mean = p.Gibbs(v0, Config.SampleSteps, generator).Mean;
        var values = Config.Visible == RbmVisible.Gaussian ? mean * dataStd! + dataMean! : mean;
        var shaped = values.reshape([request.Count, .. Config.SampleShape]);
        return new TensorSamples(shaped.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        Network.Dispose();
        baseBias.Dispose();
        dataMean?.Dispose();
        dataStd?.Dispose();
    }
}
