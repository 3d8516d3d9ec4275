using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;
using Loom.IO.Checkpoints;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Tabular;

/// <summary>
/// Registry entry for <c>copula</c>: rebuilds a <see cref="GaussianCopula"/> and fits one from a <see cref="CopulaRecipe"/>.
/// </summary>
public sealed class CopulaFamily : IModelFamily, ITrainableFamily
{
    public string Kind => GaussianCopula.KindName;
    public string Summary =>
        "Gaussian copula synthesizer for mixed-type tables (SDV's GaussianCopula): marginals chosen by KS, conditional sampling";

    public Type RecipeType => typeof(CopulaRecipe);

    /// <summary>None: <see cref="CopulaRecipe.Defaults"/> are the recipe.</summary>
    public IReadOnlyDictionary<string, JsonObject> Presets => new Dictionary<string, JsonObject>();

    public TrainingOutcome Train(JsonObject recipe, TrainingContext context) =>
        CopulaTrainingRun.Train(RecipeJson.FromJson<CopulaRecipe>(recipe, "recipe"), context);

    public IGenerativeModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var values = new ConfigValues(config);
        int d = values.Int("dimensions", 0, 1 << 16);
        var metadata = TableMetadata.FromJson(config["metadata"] as JsonObject
            ?? throw new LoomDataException("config.json: a copula needs its table 'metadata'"), "config.json metadata");
        if (config["columns"] is not JsonArray columns || columns.Count != metadata.Columns.Count)
            throw new LoomDataException("config.json: a copula needs one 'columns' entry per metadata column");
        var copulaColumns = columns.Select((c, i) => CopulaColumn.FromJson(c as JsonObject
            ?? throw new LoomDataException("config.json: columns must be objects"), metadata.Columns[i])).ToList();
        if (!state.TryGetValue("correlation", out var tensor) || !tensor.shape.SequenceEqual([d, d]))
            throw new LoomDataException($"model.safetensors: a copula needs a 'correlation' tensor of shape [{d}, {d}]");
        var flat = tensor.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var correlation = new double[d, d];
        Buffer.BlockCopy(flat, 0, correlation, 0, flat.Length * sizeof(double));
        return new GaussianCopula(metadata, copulaColumns, correlation, values.Int("rows", 0, int.MaxValue));
    }
}
