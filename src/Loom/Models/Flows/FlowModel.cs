using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// A normalizing flow: an invertible map f from data x to a latent z with a standard normal prior, so
/// log p(x) = log N(f(x); 0, I) + log|det ∂f/∂x| exactly (<see cref="LogProb"/>), samples are f⁻¹(z) for
/// z ~ N(0, T²·I) (<see cref="Sample"/>, T the temperature) and any point can be encoded and decoded
/// (<see cref="Encode"/>, <see cref="Decode"/>). Vector data: numeric CSV rows or a toy set, scored in nats per sample.
/// Image data: pixels in [0, 1] (uniformly dequantized for training and scoring), scored in nats per dimension on the
/// 0..256 scale (bits/dim, see <see cref="Evaluation.Likelihood.LikelihoodUnits"/>).
/// </summary>
public sealed class FlowModel : IGenerativeModel, ILikelihoodModel, IExampleScorer
{
    public const string KindName = "flow";

    public FlowModel(FlowConfig config, FlowSequence? network = null)
    {
        Config = config;
        Network = network ?? FlowNetworks.Build(config);
    }

    public string Kind => KindName;
    public FlowConfig Config { get; }

    /// <summary>The layers, data → latent.</summary>
    public FlowSequence Network { get; }

    /// <summary>Dimensions of the latent (and of one example).</summary>
    public int Dimensions => Config.Dimensions;

    /// <summary>Number of learned parameters.</summary>
    public long ParameterCount => Network.parameters().Sum(p => p.numel());

    /// <summary>log p(x) in nats per example [n] (vectors [n, d]; images [n, c, h, w] in [0, 1], density on [0, 1]^D).</summary>
    public Tensor LogProb(Tensor x)
    {
        var (z, logDet) = Network.Forward(x);
        return StandardNormalLogProb(z) + logDet;
    }

    /// <summary>log N(z; 0, I) per row of a flat latent [n, D].</summary>
    public static Tensor StandardNormalLogProb(Tensor z) => -0.5 * z.pow(2).sum(1) - 0.5 * z.shape[1] * Math.Log(2 * Math.PI);

    /// <summary>f(x): the latent [n, D] of data, with no gradient.</summary>
    public Tensor Encode(Tensor x)
    {
        using var noGrad = torch.no_grad();
        Network.eval();
        return Network.Forward(Prepare(x)).Z;
    }

    /// <summary>f⁻¹(z): data for latents [n, D], with no gradient.</summary>
    public Tensor Decode(Tensor z)
    {
        using var noGrad = torch.no_grad();
        Network.eval();
        return Network.Inverse(z.to(ParameterType));
    }

    /// <summary>Draws <c>request.Count</c> examples f⁻¹(T·ε), ε ~ N(0, I); images are clamped to [0, 1].</summary>
    public SampleSet Sample(SampleRequest request)
    {
        PriorLatents.CheckTemperature(request.Temperature);
        using var scope = torch.NewDisposeScope();
        var g = Seeding.Generator(request.Seed, "flow-sample");
        var z = torch.randn([request.Count, Dimensions], generator: g) * request.Temperature;
        var x = Decode(z);
        if (Config.Image is not null) x = x.clamp(0, 1);
        return new TensorSamples(x.MoveToOuterDisposeScope());
    }

    /// <summary>−log p(x) per example, float64 [n] (images: pixels in [0, 1], unit-scale density).</summary>
    public Tensor ExampleNll(Tensor examples)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        Network.eval();
        return LogProb(Prepare(examples)).neg().to(ScalarType.Float64).MoveToOuterDisposeScope();
    }

    /// <summary>Scores a data file: a numeric CSV (vectors) or images (see <see cref="FlowScoring"/>).</summary>
    public ScoreReport Score(string dataPath, CancellationToken cancellation = default) =>
        FlowScoring.Score(this, dataPath, cancellation);

    /// <summary>Scores numeric CSV text held in memory (vector flows).</summary>
    public ScoreReport ScoreContent(string data, string source = "data", CancellationToken cancellation = default)
    {
        if (Config.Image is not null)
            throw new LoomDataException($"{source}: an image flow scores image files or folders, not text");
        using var x = NumericCsv.ToTensor(NumericCsv.Parse(data, source, out _), source);
        return FlowScoring.ScoreVectors(this, x, source);
    }

    /// <summary>The examples checked against the model's shape and cast to its dtype.</summary>
    internal Tensor Prepare(Tensor x)
    {
        long[] shape = Config.Image is { } image ? [image.Channels, image.Height, image.Width] : [Dimensions];
        if (x.dim() != shape.Length + 1 || !x.shape.Skip(1).SequenceEqual(shape))
            throw new LoomDataException($"examples must be [n, {string.Join(", ", shape)}], got [{string.Join(", ", x.shape)}]");
        return x.to(ParameterType);
    }

    private ScalarType ParameterType => Network.parameters().FirstOrDefault()?.dtype ?? ScalarType.Float32;

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState() => ModuleTensors.Capture(Network);

    public void Dispose() => Network.Dispose();
}
