using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>
/// What CTGAN and TVAE share: a <see cref="TableTransformer"/> between table rows and network rows, sampling through it,
/// and conditional sampling (<see cref="TableConditions"/>) by rejection: rows are drawn in batches and only those with
/// every requested category, and every requested number within <see cref="NumberTolerance"/> standard deviations of the
/// column, are kept — at most <see cref="RejectionFactor"/> draws per requested row (a usage error names the conditions when
/// the model makes too few); kept rows then get each requested number exactly. A subclass may steer the draws towards the
/// first label condition (CTGAN's conditional vector) so that few are rejected.
/// </summary>
public abstract class NeuralTableModel(TableTransformer transformer, int trainingRows) : IGenerativeModel, IOneHotTableGenerator
{
    /// <summary>The most rows drawn per requested row when sampling with conditions.</summary>
    public const int RejectionFactor = 100;

    /// <summary>A number condition keeps drawn rows within this many standard deviations of the column of its value.</summary>
    public const double NumberTolerance = 0.1;

    public abstract string Kind { get; }
    public TableMetadata Metadata => Transformer.Metadata;
    public TableTransformer Transformer { get; } = transformer;
    public int TrainingRows { get; } = trainingRows;

    /// <summary>
    /// <paramref name="count"/> transformed rows ([count × width], value spans in [−1, 1], one-hot spans one-hot), steered
    /// towards category <paramref name="hint"/> where the model can.
    /// </summary>
    protected abstract Tensor DrawRows(int count, (OutputSpan Span, int Index)? hint, Generator generator, double temperature,
        SpanChoices choices);

    /// <summary>Both CTGAN and TVAE draw: the network's own distribution (see <see cref="TvaeModel"/> for why not SDV's choice).</summary>
    public OneHotChoice DefaultOneHotChoice => OneHotChoice.Draw;

    public SampleSet Sample(SampleRequest request)
    {
        if (request.Count < 1)
            throw LoomUsageException.ForOption("Count", $"must be at least 1, got {request.Count}");
        if (!(request.Temperature > 0) || !double.IsFinite(request.Temperature))
            throw LoomUsageException.ForOption("Temperature", $"must be positive, got {request.Temperature}");
        var conditions = ColumnCondition.ResolveAll(Transformer.Columns, request.Get<TableConditions>());
        var choices = new SpanChoices(request.Get<OneHotSampling>()?.Choice ?? DefaultOneHotChoice,
            conditions.Where(c => !c.IsNumber).Select(c => c.Column).ToHashSet());
        using var threads = SingleThreadScope.Enter();
        using var generator = new Generator((ulong)request.Seed);
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        int width = Transformer.Width, count = request.Count;
        if (conditions.Count == 0)
        {
            var rows = SpanOutputs.Flat(DrawRows(count, null, generator, request.Temperature, choices));
            return new TableSamples(Transformer.Decode(rows, count));
        }
        // A label condition: the entry of its category; a number condition: the value within its tolerance.
        var offsets = conditions.Select(c => c.IsNumber ? -1 : Transformer.CategorySpan(c.Column).Start + c.Category).ToArray();
        var tolerances = conditions.Select(c => c.IsNumber ? Tolerance(c.Column) : 0).ToArray();
        bool Holds(float[] rows, int i)
        {
            for (int n = 0; n < conditions.Count; n++)
            {
                bool holds = conditions[n].IsNumber
                    ? Math.Abs(Transformer.NumberAt(rows, i, conditions[n].Column) - conditions[n].Number) <= tolerances[n]
                    : rows[i * width + offsets[n]] > 0.5f;
                if (!holds) return false;
            }
            return true;
        }
        var kept = new float[count * width];
        int have = 0;
        long drawn = 0, cap = (long)count * RejectionFactor;
        var label = conditions.FirstOrDefault(c => !c.IsNumber);
        (OutputSpan, int)? hint = label is null ? null : (Transformer.CategorySpan(label.Column), label.Category);
        while (have < count && drawn < cap)
        {
            int batch = (int)Math.Min(Math.Max(2L * (count - have), 64), cap - drawn);
            var rows = SpanOutputs.Flat(DrawRows(batch, hint, generator, request.Temperature, choices));
            drawn += batch;
            for (int i = 0; i < batch && have < count; i++)
            {
                if (!Holds(rows, i)) continue;
                Array.Copy(rows, i * width, kept, have * width, width);
                have++;
            }
        }
        string Describe(ColumnCondition c, int n) =>
            c.IsNumber ? $"{c.Name} within {tolerances[n].ToString("G3", CultureInfo.InvariantCulture)} of {c.Text}" : c.ToString();
        if (have < count)
            throw LoomUsageException.ForOption("Condition", $"only {have} of {drawn} rows drawn had "
                + string.Join(" and ", conditions.Select(Describe))
                + $" (at most {RejectionFactor} draws per row); the model rarely makes such rows");
        return new TableSamples(ColumnCondition.WithNumbers(Transformer.Decode(kept, count), conditions));
    }

    /// <summary>
    /// How far a drawn value of number column <paramref name="column"/> may lie from a condition's value and be kept:
    /// <see cref="NumberTolerance"/> standard deviations of the column (its mode mixture).
    /// </summary>
    public double Tolerance(int column) => NumberTolerance * Transformer.Modes[column]!.Std;

    public abstract JsonObject GetConfig();
    public abstract IReadOnlyDictionary<string, Tensor> GetState();
    public abstract void Dispose();

    /// <summary>The config entries every neural table model writes: the metadata, training rows and the transformer's state.</summary>
    protected JsonObject BaseConfig() => new()
    {
        ["metadata"] = Metadata.ToJson(), ["rows"] = TrainingRows, ["transformer"] = Transformer.ToJson(),
    };

    /// <summary>The transformer and training rows a config holds (written by <see cref="BaseConfig"/>).</summary>
    public static (TableTransformer Transformer, int Rows) ReadBase(JsonObject config, string kind)
    {
        var metadata = TableMetadata.FromJson(config["metadata"] as JsonObject
            ?? throw new LoomDataException($"config.json: a {kind} model needs its table 'metadata'"), "config.json metadata");
        var transformer = TableTransformer.FromJson(config["transformer"] as JsonObject
            ?? throw new LoomDataException($"config.json: a {kind} model needs its 'transformer'"), metadata);
        return (transformer, new IO.Checkpoints.ConfigValues(config).Int("rows", 0, int.MaxValue));
    }
}
