using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// Registry entry for hidden Markov models (kind <c>hmm</c>): rebuilds a <see cref="HiddenMarkovModel"/> from a checkpoint
/// and fits one from an <see cref="HmmRecipe"/> (<see cref="HmmTrainingRun"/>).
/// </summary>
public sealed class HmmFamily : IModelFamily, ITrainableFamily
{
    public const string KindName = "hmm";

    public string Kind => KindName;

    public Type RecipeType => typeof(HmmRecipe);

    /// <summary>None: <see cref="HmmRecipe.Defaults"/> are the recipe.</summary>
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        HmmTrainingRun.Train(RecipeJson.FromJson<HmmRecipe>(recipe, "recipe"), context);

    public string Summary => "hidden Markov model (categorical, diagonal or full Gaussian emissions), Baum-Welch EM";

    /// <summary>Rebuilds the model on CPU (HMM recursions are many tiny steps; a GPU does not help them).</summary>
    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        // Typed and ranged: a value of the wrong type or out of range is one line naming the key, never a default.
        var v = new IO.Checkpoints.ConfigValues(config, "hmm checkpoint config");
        HmmOptions options;
        try
        {
            options = new HmmOptions
            {
                States = v.Int("states", 1, 1 << 16),
                Emission = HmmOptions.ParseEmission(v.String("emission")),
                MaxIter = v.Int("max_iter", 1, int.MaxValue, whenAbsent: 100),
                Tol = v.Double("tol", 0, double.MaxValue, whenAbsent: 1e-4),
                MinCovar = v.Double("min_covar", 0, double.MaxValue, whenAbsent: 1e-3),
                Seed = v.Long("seed", long.MinValue, long.MaxValue, whenAbsent: 0),
                Init = HmmOptions.ParseInit(v.String("init", "auto")),
            };
        }
        catch (LoomUsageException e)
        {
            throw new LoomDataException($"hmm checkpoint config: {e.Message}", e);
        }
        string kind = v.String("kind", KindName);
        int? configSymbols = v.Has("symbols") ? v.Int("symbols", 0, 1 << 24) : null;
        int? configDims = v.Has("dims") ? v.Int("dims", 0, 1 << 24) : null;
        Tensor Get(string name) => state.TryGetValue(name, out var t)
            ? t
            : throw new LoomDataException($"hmm checkpoint: tensor '{name}' is missing");
        var emissions = HmmEmissions.FromState(options.Emission, Get);
        // What the config says about the emissions must be what the tensors hold (written by GetConfig).
        int symbols = emissions.Kind == HmmEmission.Categorical ? emissions.Dim : 0;
        int dims = emissions.Kind == HmmEmission.Categorical ? 0 : emissions.Dim;
        string? mismatch =
            emissions.States != options.States ? $"config says {options.States} states, the emission tensors have {emissions.States}"
            : kind != KindName ? $"config 'kind' is '{kind}', not '{KindName}'"
            : (configSymbols ?? symbols) != symbols ? $"config 'symbols' is {configSymbols}, the tensors hold {symbols}"
            : (configDims ?? dims) != dims ? $"config 'dims' is {configDims}, the tensors hold {dims}"
            : null;
        if (mismatch is not null)
        {
            emissions.Dispose();
            throw new LoomDataException($"hmm checkpoint: {mismatch}");
        }
        var start = Get("startprob");
        var trans = Get("transmat");
        CheckDistribution(start, "startprob");
        CheckDistribution(trans, "transmat");
        if (options.Emission == HmmEmission.Categorical)
            CheckDistribution(Get("emissionprob"), "emissionprob");
        HmmParameters parameters;
        try { parameters = new HmmParameters(start, trans, emissions); }
        catch { emissions.Dispose(); throw; }
        return new HiddenMarkovModel(parameters, options);
    }

    private static void CheckDistribution(Tensor t, string name)
    {
        using var scope = NewDisposeScope();
        var x = t.to(ScalarType.Float64);
        bool ok = x.isfinite().all().item<bool>() && (x >= 0).all().item<bool>()
                  && (x.sum(-1) - 1).abs().max().item<double>() < 1e-6;
        if (!ok)
            throw new LoomDataException($"hmm checkpoint: '{name}' is not a probability distribution (entries >= 0, rows summing to 1)");
    }

}
