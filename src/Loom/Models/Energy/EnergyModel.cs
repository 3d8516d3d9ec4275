using System.Text.Json.Nodes;
using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Energy;

/// <summary>
/// An energy-based model p(x) ∝ exp(−E(x)) with E a neural network (<see cref="EnergyNetwork"/>). Its normalizer is
/// unknown, so it has no likelihood; it samples by SGLD (<see cref="Langevin"/>) from uniform noise on the data range,
/// clamped to it, for <see cref="EnergyConfig.SampleSteps"/> steps or the steps a <see cref="SgldRequest"/> option asks.
/// Vector models give points [n, d]; image models give images [n, c, h, w] in [0, 1]. A joint model (JEM, Grathwohl et
/// al. 2020; <see cref="EnergyConfig.ClassNames"/>) is also a classifier, p(y | x) = softmax f(x) (<see cref="Classify"/>),
/// and samples by SGLD on E(x, y) = −f(x)[y]: the request's class, or the classes in turn without one (as the other
/// conditional models do; the marginal E(x) = −logsumexp f(x) is what training's negatives follow).
/// </summary>
public sealed class EnergyModel : IGenerativeModel, IProgressiveSampler, IImageGenerator, IConditionalModel
{
    public const string KindName = "ebm";

    public EnergyModel(EnergyConfig config, EnergyNetwork? network = null)
    {
        config.Validate();
        Config = config;
        Network = network ?? EnergyNetwork.Build(config);
    }

    public string Kind => KindName;
    public EnergyConfig Config { get; }
    public EnergyNetwork Network { get; }
    public ImageShape? ImageShape => Config.Image;

    public int NumClasses => Config.NumClasses;
    public IReadOnlyList<string> ClassNames => Config.ClassNames;

    /// <summary>Number of learned parameters.</summary>
    public long ParameterCount => Network.parameters().Sum(p => p.numel());

    /// <summary>E(x) per example [n] (with gradient when enabled); examples must have the model's shape.</summary>
    public Tensor Energy(Tensor x)
    {
        CheckShape(x);
        return Network.forward(x.to(ScalarType.Float32));
    }

    private void CheckShape(Tensor x)
    {
        var shape = Config.SampleShape;
        if (x.dim() != shape.Length + 1 || !x.shape.Skip(1).SequenceEqual(shape))
            throw new LoomDataException($"examples must be [n, {string.Join(", ", shape)}], got [{string.Join(", ", x.shape)}]");
    }

    /// <summary>The class logits f(x) [n, classes] of a joint model (with gradient when enabled).</summary>
    public Tensor ClassLogits(Tensor x)
    {
        if (NumClasses == 0) throw LoomUsageException.ForOption("Class", "this energy model is not a joint (JEM) classifier");
        CheckShape(x);
        return Network.Logits(x.to(ScalarType.Float32));
    }

    /// <summary>E(x, y) = −f(x)[y] [n] of a joint model for labels [n] (int64).</summary>
    public Tensor ClassEnergy(Tensor x, Tensor labels) => -ClassLogits(x).gather(1, labels.unsqueeze(1)).squeeze(1);

    /// <summary>The most likely class of each example [n] (int64), in batches of 500, without gradient.</summary>
    public Tensor Classify(Tensor x)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        bool wasTraining = Network.training;
        Network.eval();
        try
        {
            var parts = new List<Tensor>();
            for (long i = 0; i < x.shape[0]; i += 500)
                parts.Add(ClassLogits(x.narrow(0, i, Math.Min(500, x.shape[0] - i))).argmax(1));
            return (parts.Count == 0 ? torch.zeros(0, ScalarType.Int64) : torch.cat(parts, 0)).MoveToOuterDisposeScope();
        }
        finally
        {
            Network.train(wasTraining);
        }
    }

    /// <summary>The share of <paramref name="x"/> whose most likely class is its label [n] (int64).</summary>
    public double Accuracy(Tensor x, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        return x.shape[0] == 0 ? double.NaN : Classify(x).eq(labels.to(ScalarType.Int64)).to(ScalarType.Float64).mean().ToDouble();
    }

    public SampleSet Sample(SampleRequest request) => Sample(request, null, CancellationToken.None);

    /// <summary>SGLD from uniform noise; progress counts SGLD steps.</summary>
    public SampleSet Sample(SampleRequest request, IProgress<SampleProgress>? progress, CancellationToken cancellation)
    {
        if (request.Temperature != 1)
            throw LoomUsageException.ForOption("Temperature", $"an ebm samples by SGLD at its trained noise; got {request.Temperature}");
        if (request.Count < 1) throw LoomUsageException.ForOption("Count", $"must be at least 1, got {request.Count}");
        int? steps = request.Get<SgldRequest>()?.Steps;
        if (steps is < 0 or > 100_000) throw LoomUsageException.ForOption("Steps", $"SGLD steps must be 0 to 100000, got {steps}");
        if (request.Class is not null && NumClasses == 0)
            throw LoomUsageException.ForOption("Class", "this energy model has no classes (train it with Joint = true)");
        if (request.Class is { } c && (c < 0 || c >= NumClasses))
            throw LoomUsageException.ForOption("Class", $"must be in 0..{NumClasses - 1} ({string.Join(", ", ClassNames)}), got {c}");
        var options = Config.Sampler(steps);
        using var scope = torch.NewDisposeScope();
        var labels = NumClasses == 0 ? null
            : request.Class is { } k ? torch.full(request.Count, k, ScalarType.Int64)
            : torch.arange(request.Count, dtype: ScalarType.Int64) % NumClasses;
        Func<Tensor, Tensor> energy = labels is null ? Energy : x => ClassEnergy(x, labels);
        var g = Seeding.Generator(request.Seed, "ebm-sample");
        var start = torch.rand([request.Count, .. Config.SampleShape], ScalarType.Float32, generator: g) * (Config.High - Config.Low)
            + Config.Low;
        bool wasTraining = Network.training;
        Network.eval();
        try
        {
            var x = Langevin.Run(energy, start, options, g,
                (done, total) => progress?.Report(new SampleProgress(done, total, "SGLD step")), cancellation);
            cancellation.ThrowIfCancellationRequested();
            if (Config.Image is not null) x = x.clamp(0, 1);
            return new TensorSamples(x.MoveToOuterDisposeScope(), labels?.MoveToOuterDisposeScope())
            {
                ClassNames = labels is null ? null : ClassNames,
            };
        }
        finally
        {
            Network.train(wasTraining);
        }
    }

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState() => ModuleTensors.Capture(Network);

    public void Dispose() => Network.Dispose();
}
