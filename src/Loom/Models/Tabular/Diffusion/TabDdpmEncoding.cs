using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;

namespace Loom.Models.Tabular.Diffusion;

/// <summary>One categorical block of a TabDDPM row: a label column's categories, or a number column's missing flag.</summary>
/// <param name="Column">The table column it encodes.</param>
/// <param name="Start">Where its one-hot starts in a row (after the numeric part).</param>
/// <param name="Width">Its number of classes K.</param>
/// <param name="MissingFlag">True for a number column's (present, missing) flag.</param>
public sealed record CategoricalBlock(int Column, int Start, int Width, bool MissingFlag);

/// <summary>
/// How TabDDPM (Kotelnikov et al. 2023) sees a table: each number column (numeric, integer, datetime) quantile-normalised
/// to N(0, 1) — z = Φ⁻¹(F(x)) with F the column's empirical CDF on up to 1001 quantile knots, clipped to
/// [1e-7, 1 − 1e-7] as scikit-learn's QuantileTransformer — and each label column (categorical, ordinal, boolean; missing is a
/// category of its own) a one-hot of its categories. A number column with missing values also gets a one-hot (present,
/// missing) block, its z set to 0 where missing. A row is [numbers | one-hots]. Going back reuses the copula's column model
/// (<see cref="CopulaColumn"/>): x = F⁻¹(Φ(z)) clamped to the range seen and rounded as the data was; ids are regenerated.
/// </summary>
public sealed class TabDdpmEncoding
{
    private const double Clip = 1e-7;

    public TabDdpmEncoding(TableMetadata metadata, IReadOnlyList<CopulaColumn> columns)
    {
        Metadata = metadata;
        Columns = columns;
        NumberColumns = Enumerable.Range(0, columns.Count).Where(j => columns[j].Modelled && columns[j].Marginal is not null).ToList();
        var blocks = new List<CategoricalBlock>();
        int at = NumberColumns.Count;
        for (int j = 0; j < columns.Count; j++)
        {
            if (!columns[j].Modelled) continue;
            int width = columns[j].Categories?.Count ?? (columns[j].MissingRate > 0 ? 2 : 0);
            if (width == 0) continue;
            blocks.Add(new CategoricalBlock(j, at, width, columns[j].Categories is null));
            at += width;
        }
        Blocks = blocks;
        Width = at;
    }

    public TableMetadata Metadata { get; }
    /// <summary>Each column's range, rounding, missing rate, empirical marginal or categories.</summary>
    public IReadOnlyList<CopulaColumn> Columns { get; }
    /// <summary>The table columns of the numeric part, in row order.</summary>
    public IReadOnlyList<int> NumberColumns { get; }
    public IReadOnlyList<CategoricalBlock> Blocks { get; }
    /// <summary>Numbers in a row (the Gaussian part).</summary>
    public int Numbers => NumberColumns.Count;
    /// <summary>The width of a row.</summary>
    public int Width { get; }

    /// <summary>Fits each number column's empirical marginal and each label column's categories.</summary>
    public static TabDdpmEncoding Fit(Table table) =>
        new(table.Metadata, table.Columns.Select(c => CopulaColumn.Fit(c, "empirical")).ToList());

    /// <summary>The quantile-normalised value of x in number column <paramref name="column"/>.</summary>
    public double Normalize(int column, double x) =>
        Distributions.NormalQuantile(Math.Clamp(Columns[column].Marginal!.Cdf(x), Clip, 1 - Clip));

    /// <summary>The rows of <paramref name="table"/> as TabDDPM rows ([rows × <see cref="Width"/>], row-major).</summary>
    public float[] Encode(Table table)
    {
        var rows = new float[table.RowCount * Width];
        for (int k = 0; k < NumberColumns.Count; k++)
        {
            var numbers = table.Columns[NumberColumns[k]].Numbers!;
            for (int i = 0; i < table.RowCount; i++)
                rows[i * Width + k] = double.IsNaN(numbers[i]) ? 0 : (float)Normalize(NumberColumns[k], numbers[i]);
        }
        foreach (var block in Blocks)
        {
            var column = table.Columns[block.Column];
            for (int i = 0; i < table.RowCount; i++)
            {
                int index = block.MissingFlag ? (column.IsMissing(i) ? 1 : 0) : Columns[block.Column].CategoryIndex(column.Labels![i]);
                if (index < 0)
                    throw new LoomDataException($"column '{column.Name}': '{column.Labels![i]}' was not seen when the model was fitted");
                rows[i * Width + block.Start + index] = 1;
            }
        }
        return rows;
    }

    /// <summary>
    /// TabDDPM rows back to a table: numbers through F⁻¹(Φ(z)), clamped and rounded as the training data was (missing where the
    /// flag's largest entry says so); each label the largest entry of its one-hot; ids regenerated.
    /// </summary>
    public Table Decode(float[] rows, int count)
    {
        if (rows.Length != count * Width)
            throw new ArgumentException($"expected {count} rows of width {Width}, got {rows.Length} values");
        var output = new List<TableColumn>();
        for (int j = 0; j < Columns.Count; j++)
        {
            var model = Columns[j];
            if (!model.Modelled)
            {
                output.Add(new TableColumn(model.Spec, null, EncodedRows.RegeneratedIds(model, count)));
                continue;
            }
            var block = Blocks.FirstOrDefault(b => b.Column == j);
            if (model.Categories is { } categories)
            {
                output.Add(new TableColumn(model.Spec, null,
                    Enumerable.Range(0, count).Select(i => categories[ArgMax(rows, i * Width + block!.Start, block.Width)]).ToArray()));
                continue;
            }
            int k = NumberIndex(j);
            var numbers = new double[count];
            for (int i = 0; i < count; i++)
                numbers[i] = block is not null && ArgMax(rows, i * Width + block.Start, 2) == 1
                    ? double.NaN
                    : model.NumberFrom(Distributions.NormalCdf(rows[i * Width + k]));
            output.Add(new TableColumn(model.Spec, numbers, null, model.Decimals));
        }
        return new Table(Metadata, output);
    }

    /// <summary>The one-hot block of label column <paramref name="column"/>.</summary>
    public CategoricalBlock LabelBlock(int column) => Blocks.First(b => b.Column == column && !b.MissingFlag);

    /// <summary>The (present, missing) block of number column <paramref name="column"/>, or null when it had no missing values.</summary>
    public CategoricalBlock? MissingBlock(int column) => Blocks.FirstOrDefault(b => b.Column == column && b.MissingFlag);

    /// <summary>The position of number column <paramref name="column"/> in a row's numeric part.</summary>
    public int NumberIndex(int column) => NumberColumns.ToList().IndexOf(column);

    private static int ArgMax(float[] values, int start, int width) => EncodedRows.ArgMax(values, start, width);

    public JsonObject ToJson() => new() { ["columns"] = new JsonArray(Columns.Select(c => (JsonNode)c.ToJson()).ToArray()) };

    /// <summary>Reads an encoding written by <see cref="ToJson"/> for a table with <paramref name="metadata"/>.</summary>
    public static TabDdpmEncoding FromJson(JsonObject json, TableMetadata metadata)
    {
        if (json["columns"] is not JsonArray columns || columns.Count != metadata.Columns.Count)
            throw new LoomDataException("config.json: the tabddpm encoding needs one 'columns' entry per metadata column");
        return new TabDdpmEncoding(metadata, columns.Select((node, j) => CopulaColumn.FromJson(
            node as JsonObject ?? throw new LoomDataException("config.json: encoding columns must be objects"), metadata.Columns[j]))
            .ToList());
    }
}
