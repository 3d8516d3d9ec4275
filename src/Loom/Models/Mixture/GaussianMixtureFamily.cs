using System.Text.Json.Nodes;
using Loom.Core;
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

    public Type RecipeType => typeof(GaussianMixtureRecipe);

    /// <summary>None: <see cref="GaussianMixtureRecipe.Defaults"/> are the recipe.</summary>
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        GaussianMixtureTrainingRun.Train(RecipeJson.FromJson<GaussianMixtureRecipe>(recipe, "recipe"), context);
    public string Summary => "Gaussian mixture fitted by EM (full/tied/diag/spherical covariances) or by minibatch SGD";

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        int k = config["components"]?.GetValue<int>() ?? throw new LoomDataException("config: missing 'components'");
        int d = config["dimensions"]?.GetValue<int>() ?? throw new LoomDataException("config: missing 'dimensions'");
        var type = CovarianceTypes.Parse(config["covariance_type"]?.GetValue<string>() ?? "");
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
        return new GaussianMixture(weights, means, prec, type, MixtureFitInfo.FromJson(config["fit"] as JsonObject));
    }

    private static Tensor Require(IReadOnlyDictionary<string, Tensor> state, string name, long[] shape, Device device)
    {
        if (!state.TryGetValue(name, out var t))
            throw new LoomDataException($"model.safetensors: missing tensor '{name}' for a gmm");
        if (!t.shape.SequenceEqual(shape))
            throw new LoomDataException($"model.safetensors: tensor '{name}' has shape [{string.Join(", ", t.shape)}], expected [{string.Join(", ", shape)}]");
        return t.to(ScalarType.Float64, device).clone();
    }
}
