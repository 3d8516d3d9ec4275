using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Mixture;

/// <summary>
/// Registry entry for <c>gmm</c>: rebuilds a <see cref="GaussianMixture"/> from a checkpoint and fits one from a
/// <see cref="GaussianMixtureRecipe"/> (<see cref="GaussianMixtureTrainingRun"/>).
/// </summary>
public sealed class GaussianMixtureFamily : IModelFamily, ITrainableFamily
{
    public string Kind => GaussianMixture.KindName;
    public string Summary => "Gaussian mixture fitted by EM (full/tied/diag/spherical covariances) or by minibatch SGD";

    public Type RecipeType => typeof(GaussianMixtureRecipe);

    /// <summary>None: <see cref="GaussianMixtureRecipe.Defaults"/> are the recipe.</summary>
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        GaussianMixtureTrainingRun.Train(RecipeJson.FromJson<GaussianMixtureRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var values = new ConfigValues(config);
        int k = values.Int("components", 1, 1 << 24);
        int d = values.Int("dimensions", 1, 1 << 24);
        var type = CovarianceTypes.Parse(values.String("covariance_type"));
        ConfigValues.RequireStateHolds((double)k * d, state);
        long[] precShape = type switch
        {
            CovarianceType.Full => [k, d, d],
            CovarianceType.Tied => [d, d],
            CovarianceType.Diag => [k, d],
            _ => [k],
        };
        var weights = Require(state, "weights", [k], device);
        var means = Require(state, "means", [k, d], device);
        var prec = Require(state, "precisions_cholesky", precShape, device);
        return new GaussianMixture(weights, means, prec, type, values.Has("fit") ? ReadFit(values.Object("fit"))
            : MixtureFitInfo.FromJson(null));
    }

    /// <summary>The EM fit's record; each value must have its type (a missing one reads as unknown, as older checkpoints).</summary>
    private static MixtureFitInfo ReadFit(ConfigValues fit) => new(
        fit.Bool("converged", false), fit.Int("n_iter", 0, int.MaxValue, 0), fit.Double("lower_bound", double.MinValue, double.MaxValue, 0),
        fit.Double("tol", 0, double.MaxValue, 0), fit.Double("reg_covar", 0, double.MaxValue, 0), fit.Int("max_iter", 0, int.MaxValue, 0),
        fit.Int("n_init", 0, int.MaxValue, 0), fit.String("init", ""), fit.Long("seed", long.MinValue, long.MaxValue, 0));

    private static Tensor Require(IReadOnlyDictionary<string, Tensor> state, string name, long[] shape, Device device)
    {
        if (!state.TryGetValue(name, out var t))
            throw new LoomDataException($"model.safetensors: missing tensor '{name}' for a gmm");
        if (!t.shape.SequenceEqual(shape))
            throw new LoomDataException(
                $"model.safetensors: tensor '{name}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", shape)}]");
        return t.to(ScalarType.Float64, device).clone();
    }
}
