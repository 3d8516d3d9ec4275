using System.Text.Json.Nodes;
using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Energy;

/// <summary>
/// An energy-based model p(x) ∝ exp(−E(x)) with E a neural network (<see cref="EnergyNetwork"/>). Its normalizer is
/// unknown, so it has no likelihood; it samples by SGLD (<see cref="Langevin"/>) from uniform noise on the data range,
/// clamped to it, for <see cref="EnergyConfig.SampleSteps"/> steps or the steps a <see cref="SgldRequest"/> option asks.
/// Vector models give points [n, d]; image models give images [n, c, h, w] in [0, 1].
/// </summary>
public sealed class EnergyModel : IGenerativeModel, IProgressiveSampler, IImageGenerator
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

    /// <summary>Number of learned parameters.</summary>
    public long ParameterCount => Network.parameters().Sum(p => p.numel());

    /// <summary>E(x) per example [n] (with gradient when enabled); examples must have the model's shape.</summary>
    public Tensor Energy(Tensor x)
    {
        var shape = Config.SampleShape;
        if (x.dim() != shape.Length + 1 || !x.shape.Skip(1).SequenceEqual(shape))
            throw new LoomDataException($"examples must be [n, {string.Join(", ", shape)}], got [{string.Join(", ", x.shape)}]");
        return Network.forward(x.to(ScalarType.Float32));
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
        var options = Config.Sampler(steps);
        using var scope = torch.NewDisposeScope();
        var g = Seeding.Generator(request.Seed, "ebm-sample");
        var start = torch.rand([request.Count, .. Config.SampleShape], ScalarType.Float32, generator: g) * (Config.High - Config.Low)
            + Config.Low;
        bool wasTraining = Network.training;
        Network.eval();
        try
        {
            var x = Langevin.Run(Energy, start, options, g,
                (done, total) => progress?.Report(new SampleProgress(done, total, "SGLD step")), cancellation);
            cancellation.ThrowIfCancellationRequested();
            if (Config.Image is not null) x = x.clamp(0, 1);
            return new TensorSamples(x.MoveToOuterDisposeScope());
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
