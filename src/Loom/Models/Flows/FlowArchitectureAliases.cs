using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// <c>loom train realnvp|glow|maf</c>: a <c>flow</c> run with the architecture set. The models they train are ordinary
/// <c>flow</c> checkpoints (kind <c>flow</c>); loading defers to <see cref="FlowFamily"/>.
/// </summary>
public abstract class FlowArchitectureAlias(FlowArchitecture architecture) : IModelFamily, ITrainableFamily
{
    private readonly FlowFamily flow = new();

    public string Kind => architecture.Name();
    public string Summary => $"Alias of 'flow' with architecture {architecture.Name()} (trains a flow checkpoint)";
    public Type RecipeType => typeof(FlowRecipe);
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context)
    {
        var named = recipe["architecture"]?.GetValue<string>();
        if (named is not null && FlowArchitectures.Parse(named) != architecture)
            throw LoomUsageException.ForOption("Architecture", $"'{Kind}' trains {Kind}, not {named}; use 'flow' to choose");
        var withArchitecture = (JsonObject)recipe.DeepClone();
        withArchitecture["architecture"] = Kind;
        return flow.Train(withArchitecture, context);
    }

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device) =>
        flow.Load(config, state, device);
}

/// <summary><c>loom train realnvp</c>.</summary>
public sealed class RealNvpAlias() : FlowArchitectureAlias(FlowArchitecture.RealNvp);

/// <summary><c>loom train glow</c>.</summary>
public sealed class GlowAlias() : FlowArchitectureAlias(FlowArchitecture.Glow);

/// <summary><c>loom train maf</c>.</summary>
public sealed class MafAlias() : FlowArchitectureAlias(FlowArchitecture.Maf);
