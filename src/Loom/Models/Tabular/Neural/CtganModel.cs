using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>
/// CTGAN (Xu et al. 2019) for one table: a conditional generator over transformed rows (<see cref="TableTransformer"/>).
/// Sampling feeds N(0, I) noise (the temperature scales it) and a conditional vector — a label column and a category
/// drawn by its frequency, or the requested category on every row — and draws each one-hot from the generator's
/// softmax. Conditions steer the vector (the first requested column) and are then made exact by rejection
/// (<see cref="NeuralTableModel"/>). The critic is a training-only network and is not saved.
/// </summary>
public sealed class CtganModel(TableTransformer transformer, CtganGenerator generator, CtganShape shape, int trainingRows)
    : NeuralTableModel(transformer, trainingRows)
{
    public const string KindName = "ctgan";

    private readonly CtganConditions conditions = new(transformer);

    public override string Kind => KindName;
    public CtganGenerator Generator { get; } = generator;
    public CtganShape Shape { get; } = shape;

    protected override Tensor DrawRows(int count, (OutputSpan Span, int Index)? hint, Generator generator, double temperature,
        SpanChoices choices)
    {
        Generator.eval();
        var random = new Random((int)torch.randint(int.MaxValue, [1], generator: generator).item<long>());
        var noise = torch.randn([count, Shape.Embedding], generator: generator) * temperature;
        var vector = torch.tensor(conditions.Sampling(count, hint, random), [count, conditions.Width]);
        var raw = Generator.forward(torch.cat([noise, vector], 1));
        return SpanOutputs.Draw(raw, Transformer.Spans, generator, choices);
    }

    public override JsonObject GetConfig()
    {
        var config = BaseConfig();
        config["embedding"] = Shape.Embedding;
        config["hidden"] = Shape.Hidden;
        config["layers"] = Shape.Layers;
        config["pac"] = Shape.Pac;
        return config;
    }

    public override IReadOnlyDictionary<string, Tensor> GetState() => ModuleTensors.Capture(Generator);

    public override void Dispose() => Generator.Dispose();

    /// <summary>Rebuilds a CTGAN generator from its config and tensors (CPU: the networks are small).</summary>
    public static CtganModel Load(JsonObject config, IReadOnlyDictionary<string, Tensor> state)
    {
        var (transformer, rows) = ReadBase(config, KindName);
        var values = new ConfigValues(config);
        var shape = new CtganShape(transformer.Width, new CtganConditions(transformer).Width, values.Int("embedding", 1, 1 << 16),
            values.Int("hidden", 1, 1 << 16), values.Int("layers", 1, 64), values.Int("pac", 1, 1024));
        var generator = new CtganGenerator(shape);
        try
        {
            ModuleTensors.CopyFrom(generator, state, "model.safetensors");
        }
        catch
        {
            generator.Dispose();
            throw;
        }
        generator.eval();
        return new CtganModel(transformer, generator, shape, rows);
    }
}
