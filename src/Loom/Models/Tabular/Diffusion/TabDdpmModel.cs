using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;
using Loom.IO.Checkpoints;
using Loom.Models.Tabular.Neural;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Diffusion;

/// <summary>
/// TabDDPM (Kotelnikov et al. 2023) for one table: a <see cref="TabDdpmDenoiser"/> over <see cref="TabDdpmEncoding"/> rows,
/// sampled by <see cref="TabDdpmProcess"/>. <see cref="TableConditions"/> are inpainted during reverse diffusion: a label
/// column's one-hot is redrawn from q(xₜ₋₁ | x₀ = value) at every step, a number column's coordinate is replaced by
/// √ᾱₜ₋₁ z + √(1 − ᾱₜ₋₁) ε with z its quantile-normalised value (and its missing flag held at present), so every row has
/// the value without rejection (numbers exactly: the output column is set to it) and the other columns are denoised
/// towards rows that have it.
/// </summary>
public sealed class TabDdpmModel(TabDdpmEncoding encoding, TabDdpmDenoiser denoiser, int timesteps, int trainingRows)
    : IGenerativeModel, ITableGenerator
{
    public const string KindName = "tabddpm";

    public string Kind => KindName;
    public TableMetadata Metadata => Encoding.Metadata;
    public TabDdpmEncoding Encoding { get; } = encoding;
    public TabDdpmDenoiser Denoiser { get; } = denoiser;
    public TabDdpmProcess Process { get; } = new(encoding.Numbers, encoding.Blocks, timesteps);
    public int TrainingRows { get; } = trainingRows;

    public SampleSet Sample(SampleRequest request)
    {
        if (request.Count < 1)
            throw LoomUsageException.ForOption("Count", $"must be at least 1, got {request.Count}");
        if (!(request.Temperature > 0) || !double.IsFinite(request.Temperature))
            throw LoomUsageException.ForOption("Temperature", $"must be positive, got {request.Temperature}");
        var conditions = ColumnCondition.ResolveAll(Encoding.Columns, request.Get<TableConditions>());
        var fixedCategories = new List<FixedCategory>();
        var fixedNumbers = new List<FixedNumber>();
        foreach (var condition in conditions)
        {
            int j = condition.Column;
            if (!condition.IsNumber)
            {
                fixedCategories.Add(new FixedCategory(Encoding.LabelBlock(j), condition.Category));
                continue;
            }
            fixedNumbers.Add(new FixedNumber(Encoding.NumberIndex(j), Encoding.Normalize(j, condition.Number)));
            if (Encoding.MissingBlock(j) is { } missing)
                fixedCategories.Add(new FixedCategory(missing, 0));   // present
        }
        using var threads = SingleThreadScope.Enter();
        using var generator = new Generator((ulong)request.Seed);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        Denoiser.eval();
        var device = Denoiser.parameters().First().device;
        var rows = new List<float>();
        // Batches bound the memory of a large request; each continues the same generator.
        for (int done = 0; done < request.Count; done += BatchRows)
        {
            int count = Math.Min(BatchRows, request.Count - done);
            var drawn = Process.Sample(Denoiser, count, generator, request.Temperature, fixedCategories, fixedNumbers, device);
            rows.AddRange(SpanOutputs.Flat(drawn));
        }
        return new TableSamples(ColumnCondition.WithNumbers(Encoding.Decode(rows.ToArray(), request.Count), conditions));
    }

    /// <summary>The most rows one reverse-diffusion pass carries.</summary>
    public const int BatchRows = 16384;

    public JsonObject GetConfig() => new()
    {
        ["metadata"] = Metadata.ToJson(), ["rows"] = TrainingRows, ["encoding"] = Encoding.ToJson(), ["timesteps"] = Process.Timesteps,
        ["embedding"] = Denoiser.Shape.Embedding, ["hidden"] = Denoiser.Shape.Hidden, ["layers"] = Denoiser.Shape.Layers,
    };

    public IReadOnlyDictionary<string, Tensor> GetState() => ModuleTensors.Capture(Denoiser);

    public void Dispose() => Denoiser.Dispose();

    /// <summary>Rebuilds a TabDDPM from its config and tensors.</summary>
    public static TabDdpmModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state, Device device)
    {
        var metadata = TableMetadata.FromJson(config["metadata"] as JsonObject
            ?? throw new LoomDataException($"config.json: a {KindName} model needs its table 'metadata'"), "config.json metadata");
        var encoding = TabDdpmEncoding.FromJson(config["encoding"] as JsonObject
            ?? throw new LoomDataException($"config.json: a {KindName} model needs its 'encoding'"), metadata);
        var values = new ConfigValues(config);
        var shape = new TabDdpmShape(encoding.Width, values.Int("embedding", 2, 1 << 16), values.Int("hidden", 1, 1 << 16),
            values.Int("layers", 1, 64));
        int timesteps = values.Int("timesteps", 2, 100_000), rows = values.Int("rows", 0, int.MaxValue);
        var denoiser = new TabDdpmDenoiser(shape);
        try
        {
            ModuleTensors.CopyFrom(denoiser, state, "model.safetensors");
        }
        catch
        {
            denoiser.Dispose();
            throw;
        }
        denoiser.to(device);
        denoiser.eval();
        return new TabDdpmModel(encoding, denoiser, timesteps, rows);
    }
}
