using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hopfield;

/// <summary>
/// Kind <c>hopfield</c>: stored ±1 patterns with a classical network (<see cref="ClassicalHopfield"/>, Hebbian or
/// pseudo-inverse weights, rebuilt from the patterns) and a modern one (<see cref="ModernHopfield"/> at β). A sample is
/// a retrieval: stored patterns picked by the seed, corrupted with the config's noise, and recovered by the configured
/// network, as [n, …shape] values in [0, 1] (images when the patterns were). <see cref="Retrieve"/> recovers any query.
/// </summary>
public sealed class HopfieldModel : IGenerativeModel, IImageGenerator
{
    public const string KindName = "hopfield";

    private readonly ClassicalHopfield classical;
    private readonly ModernHopfield modern;

    /// <summary>Stores ±1 <paramref name="patterns"/> [P, N] (copied).</summary>
    public HopfieldModel(Tensor patterns, HopfieldConfig config)
    {
        HopfieldPatterns.Check(patterns, "patterns");
        Patterns = patterns.to(ScalarType.Float32).clone();
        Config = config;
        classical = ClassicalHopfield.Store(Patterns, config.Rule);
        modern = new ModernHopfield(Patterns, config.Beta);
    }

    public Tensor Patterns { get; }
    public HopfieldConfig Config { get; }
    public ClassicalHopfield Classical => classical;
    public ModernHopfield Modern => modern;
    public string Kind => KindName;
    public ImageShape? ImageShape => ImageShape.Of(Config.SampleShape, Config.Images);

    public JsonObject GetConfig() => Config.ToJson();

    public IReadOnlyDictionary<string, Tensor> GetState() => new Dictionary<string, Tensor> { ["patterns"] = Patterns };

    /// <summary>
    /// Recovers ±1 <paramref name="queries"/> [n, N]: the classical network's fixed point (asynchronous updates, order from
    /// <paramref name="seed"/>) or one modern update, per <see cref="HopfieldConfig.Modern"/>. ±1 states [n, N] (float64; the
    /// modern update's signs).
    /// </summary>
    public Tensor Retrieve(Tensor queries, long seed = 0)
    {
        if (!Config.Modern)
            return classical.Retrieve(queries, seed, Config.MaxSweeps).States;
        HopfieldPatterns.Check(queries, "queries", Patterns.shape[1]);
        using var state = modern.Retrieve(queries);
        var signs = state.sign();
        return torch.where(signs.eq(0), torch.ones_like(signs), signs);
    }

    public SampleSet Sample(SampleRequest request)
    {
        if (request.Temperature != 1.0)
            throw LoomUsageException.ForOption("Temperature", "a Hopfield network retrieves deterministically; leave it at 1");
        if (request.Count < 1) throw LoomUsageException.ForOption("Count", $"must be positive, got {request.Count}");
        using var scope = torch.NewDisposeScope();
        using var generator = Seeding.Generator(request.Seed, "hopfield-sample");
        var picks = torch.randint(0, Patterns.shape[0], [request.Count], dtype: ScalarType.Int64, generator: generator);
        var queries = HopfieldPatterns.Corrupt(Patterns.index_select(0, picks).to(ScalarType.Float64), Config.Noise, request.Seed);
        var states = Retrieve(queries, request.Seed);
        var values = ((states + 1) / 2).to(ScalarType.Float32).reshape([request.Count, .. Config.SampleShape]);
        return new TensorSamples(values.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        classical.Dispose();
        modern.Dispose();
        Patterns.Dispose();
    }
}
