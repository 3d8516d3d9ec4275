using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;

namespace Loom.Models.Tabular.Neural;

/// <summary>How a network's raw outputs over a span become values: tanh for a scaled scalar, softmax over a one-hot.</summary>
public enum SpanActivation
{
    Tanh,
    Softmax,
}

/// <summary>What a span of a transformed row holds.</summary>
public enum SpanRole
{
    /// <summary>A number column's α within its mode.</summary>
    Value,
    /// <summary>A number column's mode, one-hot.</summary>
    Mode,
    /// <summary>A number column's missing flag, one-hot over (present, missing).</summary>
    Missing,
    /// <summary>A label column's category (missing is a category of its own), one-hot.</summary>
    Category,
}

/// <summary>A block of columns of a transformed row: where it starts, how wide it is, and which table column it encodes.</summary>
public sealed record OutputSpan(int Start, int Width, SpanActivation Activation, int Column, SpanRole Role);

/// <summary>
/// CTGAN's data transformer (Xu et al. 2019): each number column (numeric, integer, datetime) becomes α in [−1, 1] plus
/// a one-hot of its mode (<see cref="ModeNormalizer"/>), and a one-hot missing flag when the column has missing
/// values; each label column (categorical, ordinal, boolean) a one-hot of its categories. Ids are not modelled and
/// are regenerated. Going back reuses the copula's column model (<see cref="CopulaColumn"/>): numbers are clamped to
/// the range seen and rounded as the data was (integers whole, datetimes to their format's resolution), labels keep
/// their spelling. The fitted state round-trips through the checkpoint's config JSON.
/// </summary>
public sealed class TableTransformer
{
    public TableTransformer(TableMetadata metadata, IReadOnlyList<CopulaColumn> columns, IReadOnlyList<ModeNormalizer?> modes)
    {
        Metadata = metadata;
        Columns = columns;
        Modes = modes;
        var spans = new List<OutputSpan>();
        int at = 0;
        void Add(int width, SpanActivation activation, int column, SpanRole role)
        {
            spans.Add(new OutputSpan(at, width, activation, column, role));
            at += width;
        }
        for (int j = 0; j < columns.Count; j++)
        {
            if (!columns[j].Modelled) continue;
            if (columns[j].Categories is { } categories)
            {
                Add(categories.Count, SpanActivation.Softmax, j, SpanRole.Category);
                continue;
            }
            var normalizer = modes[j] ?? throw new ArgumentException($"column '{columns[j].Spec.Name}' has no mode normalizer");
            Add(1, SpanActivation.Tanh, j, SpanRole.Value);
            Add(normalizer.Modes, SpanActivation.Softmax, j, SpanRole.Mode);
            if (columns[j].MissingRate > 0) Add(2, SpanActivation.Softmax, j, SpanRole.Missing);
        }
        Spans = spans;
        Width = at;
        columnSpans = Enumerable.Range(0, columns.Count).Select(j => spans.Where(s => s.Column == j).ToArray()).ToArray();
    }

    private readonly OutputSpan[][] columnSpans;

    public TableMetadata Metadata { get; }
    /// <summary>Each column's range, rounding, missing rate and categories (the copula's column model).</summary>
    public IReadOnlyList<CopulaColumn> Columns { get; }
    /// <summary>Each number column's mode normalizer (null for labels and ids).</summary>
    public IReadOnlyList<ModeNormalizer?> Modes { get; }
    public IReadOnlyList<OutputSpan> Spans { get; }
    /// <summary>The width of a transformed row.</summary>
    public int Width { get; }

    /// <summary>The spans of label columns: what a conditional vector picks from.</summary>
    public IReadOnlyList<OutputSpan> CategorySpans => Spans.Where(s => s.Role == SpanRole.Category).ToList();

    /// <summary>Fits the column models and one mode normalizer per number column.</summary>
    public static TableTransformer Fit(Table table)
    {
        var columns = table.Columns.Select(c => CopulaColumn.Fit(c, "uniform")).ToList();
        var modes = table.Columns.Select(c => c.Numbers is { } numbers && c.Kind != ColumnKind.Id
            ? ModeNormalizer.Fit(numbers.Where(double.IsFinite).ToArray()) : null).ToList();
        return new TableTransformer(table.Metadata, columns, modes);
    }

    /// <summary>
    /// The rows of <paramref name="table"/> as transformed rows ([rows × <see cref="Width"/>], row-major); modes drawn with the seed.
    /// </summary>
    public float[] Encode(Table table, long seed)
    {
        var random = new Random(GaussianCopula.SeedOf(seed));
        var rows = new float[table.RowCount * Width];
        foreach (var span in Spans)
        {
            var column = table.Columns[span.Column];
            var model = Columns[span.Column];
            for (int i = 0; i < table.RowCount; i++)
            {
                int at = i * Width + span.Start;
                switch (span.Role)
                {
                    case SpanRole.Category:
                        int index = model.CategoryIndex(column.Labels![i]);
                        if (index < 0)
                            throw new LoomDataException(
                                $"column '{column.Name}': '{column.Labels[i]}' was not seen when the transformer was fitted");
                        rows[at + index] = 1;
                        break;
                    case SpanRole.Value:
                        double x = column.Numbers![i];
                        var (mode, alpha) = double.IsNaN(x) ? (0, 0.0) : Modes[span.Column]!.Forward(x, random);
                        rows[at] = (float)alpha;
                        rows[at + 1 + mode] = 1;
                        break;
                    case SpanRole.Missing:
                        rows[at + (double.IsNaN(column.Numbers![i]) ? 1 : 0)] = 1;
                        break;
                }
            }
        }
        return rows;
    }

    /// <summary>
    /// Transformed rows back to a table: α for value spans, the largest entry of each one-hot; numbers clamped and rounded as the
    /// training data was; ids regenerated.
    /// </summary>
    public Table Decode(float[] rows, int count)
    {
        if (rows.Length != count * Width)
            throw new ArgumentException($"expected {count} rows of width {Width}, got {rows.Length} values");
        var output = new List<TableColumn>();
        for (int j = 0; j < Columns.Count; j++)
        {
            var model = Columns[j];
            var spans = columnSpans[j];
            if (!model.Modelled)
            {
                output.Add(new TableColumn(model.Spec, null, EncodedRows.RegeneratedIds(model, count)));
                continue;
            }
            if (model.Categories is { } categories)
            {
                output.Add(new TableColumn(model.Spec, null,
                    Enumerable.Range(0, count).Select(i => categories[ArgMax(rows, i * Width + spans[0].Start, spans[0].Width)])
                        .ToArray()));
                continue;
            }
            var numbers = new double[count];
            for (int i = 0; i < count; i++) numbers[i] = NumberAt(rows, i, j);
            output.Add(new TableColumn(model.Spec, numbers, null, model.Decimals));
        }
        return new Table(Metadata, output);
    }

    /// <summary>
    /// The value of number column <paramref name="column"/> in transformed row <paramref name="row"/> of <paramref name="rows"/>:
    /// α in the mode with the largest entry, clamped to the training range and rounded as written; NaN where the missing flag says so.
    /// </summary>
    public double NumberAt(float[] rows, int row, int column)
    {
        var spans = columnSpans[column];
        int at = row * Width;
        if (spans.Length > 2 && ArgMax(rows, at + spans[2].Start, 2) == 1)
            return double.NaN;
        int mode = ArgMax(rows, at + spans[1].Start, spans[1].Width);
        return Columns[column].Round(Modes[column]!.Inverse(mode, rows[at + spans[0].Start]));
    }

    /// <summary>The one-hot span of label column <paramref name="column"/>.</summary>
    public OutputSpan CategorySpan(int column) => Spans.First(s => s.Column == column && s.Role == SpanRole.Category);

    private static int ArgMax(float[] values, int start, int width) => EncodedRows.ArgMax(values, start, width);

    public JsonObject ToJson() => new()
    {
        ["columns"] = new JsonArray(Columns.Select((c, j) =>
        {
            var json = c.ToJson();
            if (Modes[j] is { } modes) json["modes"] = modes.ToJson();
            return (JsonNode)json;
        }).ToArray()),
    };

    /// <summary>Reads a transformer written by <see cref="ToJson"/> for a table with <paramref name="metadata"/>.</summary>
    public static TableTransformer FromJson(JsonObject json, TableMetadata metadata)
    {
        if (json["columns"] is not JsonArray columns || columns.Count != metadata.Columns.Count)
            throw new LoomDataException("config.json: the transformer needs one 'columns' entry per metadata column");
        var models = new List<CopulaColumn>();
        var modes = new List<ModeNormalizer?>();
        for (int j = 0; j < columns.Count; j++)
        {
            var node = columns[j] as JsonObject ?? throw new LoomDataException("config.json: transformer columns must be objects");
            var spec = metadata.Columns[j];
            models.Add(CopulaColumn.FromJson(node, spec));
            modes.Add(spec.Kind.IsNumberLike()
                ? ModeNormalizer.FromJson(node["modes"] as JsonObject
                    ?? throw new LoomDataException($"config.json: column '{spec.Name}' has no modes"), spec.Name)
                : null);
        }
        return new TableTransformer(metadata, models, modes);
    }
}
