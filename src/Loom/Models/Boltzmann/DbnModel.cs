using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// Kind <c>dbn</c>: a trained <see cref="DeepBeliefNet"/>. Samples run <see cref="SampleSteps"/> Gibbs steps in the top RBM
/// and a down pass, returning pixel probabilities ([n, 1, 28, 28] for Fashion-MNIST). A DBN has no tractable likelihood,
/// so it does not score.
/// </summary>
public sealed class DbnModel(DeepBeliefNet network, IReadOnlyList<int> sizes, long[] sampleShape, bool images, int sampleSteps)
    : IGenerativeModel, IImageGenerator
{
    public const string KindName = "dbn";

    public DeepBeliefNet Network { get; } = network;
    /// <summary>Units per layer, visible first.</summary>
    public IReadOnlyList<int> Sizes { get; } = sizes;
    public int SampleSteps { get; } = sampleSteps;
    public string Kind => KindName;
    public ImageShape? ImageShape => ImageShape.Of(sampleShape, images);

    public JsonObject GetConfig() => new()
    {
        ["sizes"] = new JsonArray(Sizes.Select(s => (JsonNode)s).ToArray()),
        ["sample_shape"] = new JsonArray(sampleShape.Select(s => (JsonNode)s).ToArray()),
        ["images"] = images,
        ["sample_steps"] = SampleSteps,
    };

    public IReadOnlyDictionary<string, Tensor> GetState() =>
        Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

    public SampleSet Sample(SampleRequest request)
    {
        if (request.Temperature != 1.0)
            throw LoomUsageException.ForOption("Temperature", "a DBN samples by Gibbs sampling and has no temperature; leave it at 1");
        if (request.Count < 1) throw LoomUsageException.ForOption("Count", $"must be positive, got {request.Count}");
        using var generator = Seeding.Generator(request.Seed, "dbn-sample");
        using var values = Network.Sample(request.Count, SampleSteps, generator);
        return new TensorSamples(values.reshape([request.Count, .. sampleShape]));
    }

    public void Dispose() => Network.Dispose();
}
