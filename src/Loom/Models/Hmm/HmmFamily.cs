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
        var options = new HmmOptions
        {
            States = ReadInt(config, "states"),
            Emission = HmmOptions.ParseEmission(ReadString(config, "emission")),
            MaxIter = config["max_iter"]?.GetValue<int>() ?? 100,
            Tol = config["tol"]?.GetValue<double>() ?? 1e-4,
            MinCovar = config["min_covar"]?.GetValue<double>() ?? 1e-3,
            Seed = config["seed"]?.GetValue<long>() ?? 0,
            Init = HmmOptions.ParseInit(config["init"]?.GetValue<string>() ?? "auto"),
        };
        Tensor Get(string name) => state.TryGetValue(name, out var t)
            ? t
            : throw new LoomDataException($"hmm checkpoint: tensor '{name}' is missing");
        var emissions = HmmEmissions.FromState(options.Emission, Get);
        if (emissions.States != options.States)
        {
            emissions.Dispose();
            throw new LoomDataException(
                $"hmm checkpoint: config says {options.States} states, the emission tensors have {emissions.States}");
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

    private static int ReadInt(JsonObject config, string key) =>
        config[key]?.GetValue<int>() ?? throw new LoomDataException($"hmm checkpoint config: '{key}' is missing");

    private static string ReadString(JsonObject config, string key) =>
        config[key]?.GetValue<string>() ?? throw new LoomDataException($"hmm checkpoint config: '{key}' is missing");
}
