using System.Text;
using Loom.Core;
using Loom.IO;

namespace Loom.Data.Tables;

/// <summary>
/// A mixed-type table read from CSV: a header row, then one record per row. Its <see cref="Metadata"/> is detected
/// (<see cref="TableTypeDetector"/>) and overridden by a metadata file's declarations (<see cref="TableMetadata"/>).
/// A value outside its column's domain — not a number, a fraction in an integer column, a label the metadata does not
/// allow, a date not in the format, a duplicate primary key — is a <see cref="LoomDataException"/> naming row and column.
/// </summary>
public sealed class Table
{
    public Table(TableMetadata metadata, IReadOnlyList<TableColumn> columns)
    {
        Metadata = metadata;
        Columns = columns;
        RowCount = columns.Count == 0 ? 0 : columns[0].Count;
        if (columns.Any(c => c.Count != RowCount))
            throw new ArgumentException("columns differ in length");
    }

    public TableMetadata Metadata { get; }
    public IReadOnlyList<TableColumn> Columns { get; }
    public int RowCount { get; }

    /// <summary>The column called <paramref name="name"/>, or null.</summary>
    public TableColumn? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>Reads a CSV file; <paramref name="metadataPath"/> (optional) overrides the detected metadata.</summary>
    public static Table Read(string path, string? metadataPath = null) =>
        Read(path, metadataPath is null ? null : TableMetadata.Load(metadataPath), metadataPath);

    /// <summary>
    /// Reads a CSV file, or a Parquet file (<see cref="ParquetTable"/>), with <paramref name="overrides"/> laid over the detected
    /// metadata.
    /// </summary>
    public static Table Read(string path, TableMetadata? overrides, string? overridesSource = null)
    {
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: no such file");
        if (!ParquetTable.IsParquet(path))
            return Parse(TextFile.Read(path), path, overrides, overridesSource);
        var (header, rows) = ParquetTable.ReadCells(path);
        return FromCells(header, rows, path, overrides, overridesSource);
    }

    /// <summary>Reads CSV text held in memory; <paramref name="source"/> names it in errors.</summary>
    public static Table Parse(string text, string source, TableMetadata? overrides = null, string? overridesSource = null)
    {
        var records = CsvText.Parse(text, source);
        if (records.Count < 2)
            throw new LoomDataException($"{source}: a table needs a header row and at least one data row");
        return FromCells(records[0].Select(h => h.Trim()).ToArray(), records.Skip(1).ToList(), source, overrides, overridesSource);
    }

    /// <summary>A table from a header and rows of cells (missing: empty), its metadata detected and overridden as for a CSV.</summary>
    public static Table FromCells(string[] header, List<string[]> rows, string source, TableMetadata? overrides = null,
        string? overridesSource = null)
    {
        if (rows.Count == 0)
            throw new LoomDataException($"{source}: a table needs a header row and at least one data row");
        if (header.Distinct().Count() != header.Length)
            throw new LoomDataException($"{source}: the header names a column twice");
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].Length != header.Length)
                throw new LoomDataException($"{source}: row {i + 1} has {rows[i].Length} fields, the header {header.Length}");
        var metadata = TableTypeDetector.Detect(header, rows);
        if (overrides is not null)
            metadata = metadata.Overlay(overrides, overridesSource ?? "metadata");
        var columns = metadata.Columns.Select((spec, j) => ParseColumn(spec, rows, j, source)).ToList();
        if (metadata.PrimaryKey is { } key)
            RequireUnique(columns.First(c => c.Name == key), source);
        return new Table(metadata, columns);
    }

    /// <summary>
    /// Reads a CSV with the exact metadata <paramref name="metadata"/> (no detection): a synthetic table against a real one.
    /// </summary>
    public static Table ReadAs(string path, TableMetadata metadata)
    {
        var table = Read(path, metadata, "metadata");
        var names = table.Columns.Select(c => c.Name).ToList();
        if (!names.SequenceEqual(metadata.Columns.Select(c => c.Name)))
            throw new LoomDataException($"{path}: columns {string.Join(", ", names)} differ from the metadata's "
                + string.Join(", ", metadata.Columns.Select(c => c.Name)));
        return table;
    }

    /// <summary>The table as CSV text (header, then rows; missing cells empty).</summary>
    public string ToCsv()
    {
        var text = new StringBuilder();
        text.Append(CsvText.Format(Columns.Select(c => c.Name))).Append('\n');
        for (int i = 0; i < RowCount; i++)
            text.Append(CsvText.Format(Columns.Select(c => c.Format(i)))).Append('\n');
        return text.ToString();
    }

    /// <summary>Writes the table atomically: as Parquet when <paramref name="path"/> ends in .parquet, else as CSV.</summary>
    public void Write(string path)
    {
        if (ParquetTable.IsParquet(path)) ParquetTable.Write(this, path);
        else AtomicFile.WriteAllText(path, ToCsv());
    }

    /// <summary>The rows at <paramref name="rows"/>, in that order.</summary>
    public Table Select(IReadOnlyList<int> rows) => new(Metadata, Columns.Select(c => c.Select(rows)).ToList());

    /// <summary>A seeded split: a random <paramref name="fraction"/> of the rows as the second table, the rest as the first.</summary>
    public (Table Kept, Table Holdout) Split(double fraction, long seed)
    {
        var order = Enumerable.Range(0, RowCount).ToArray();
        new Random(unchecked((int)seed)).Shuffle(order);
        int held = (int)Math.Round(RowCount * fraction);
        return (Select(order[held..].Order().ToList()), Select(order[..held].Order().ToList()));
    }

    private static TableColumn ParseColumn(ColumnSpec spec, List<string[]> rows, int j, string source)
    {
        int n = rows.Count;
        if (spec.Kind.IsNumberLike())
        {
            var numbers = new double[n];
            int decimals = 0;
            for (int i = 0; i < n; i++)
            {
                var cell = rows[i][j].Trim();
                if (CellText.IsMissing(cell)) { numbers[i] = double.NaN; continue; }
                numbers[i] = ParseNumber(spec, cell, () => $"{source}: row {i + 1}, column '{spec.Name}'");
                if (spec.Kind == ColumnKind.Numeric) decimals = Math.Max(decimals, CellText.DecimalPlaces(cell));
            }
            return new TableColumn(spec, numbers, null, decimals);
        }
        var labels = new string?[n];
        var allowed = spec.Values is { } values ? new HashSet<string>(values) : null;
        for (int i = 0; i < n; i++)
        {
            var cell = rows[i][j].Trim();
            if (CellText.IsMissing(cell) && spec.Kind != ColumnKind.Id) continue;
            string where = $"{source}: row {i + 1}, column '{spec.Name}'";
            if (spec.Kind == ColumnKind.Boolean && !CellText.IsBoolean(cell))
                throw new LoomDataException($"{where}: '{cell}' is not a boolean (true/false, yes/no)");
            if (allowed is not null && !allowed.Contains(cell))
                throw new LoomDataException($"{where}: '{cell}' is not one of the declared values ({Shorten(spec.Values!)})");
            labels[i] = cell;
        }
        return new TableColumn(spec, null, labels);
    }

    private static double ParseNumber(ColumnSpec spec, string cell, Func<string> where)
    {
        double value;
        if (spec.Kind == ColumnKind.Datetime)
        {
            var format = spec.DatetimeFormat ?? throw new LoomDataException($"{where()}: the datetime column has no datetime_format");
            if (!CellText.TryDatetime(cell, format, out value))
                throw new LoomDataException($"{where()}: '{cell}' is not a date in the format {format}");
        }
        else if (spec.Kind == ColumnKind.Integer ? !CellText.TryInteger(cell, out value) : !CellText.TryNumber(cell, out value))
            throw new LoomDataException($"{where()}: '{cell}' is not {(spec.Kind == ColumnKind.Integer ? "a whole number" : "a number")}");
        if (spec.Kind != ColumnKind.Datetime && (value < spec.Min || value > spec.Max))
            throw new LoomDataException($"{where()}: {cell} is outside the declared range [{spec.Min}, {spec.Max}]");
        return value;
    }

    private static void RequireUnique(TableColumn key, string source)
    {
        var seen = new Dictionary<string, int>();
        for (int i = 0; i < key.Count; i++)
        {
            var value = key.Labels![i] ?? "";
            if (CellText.IsMissing(value))
                throw new LoomDataException($"{source}: row {i + 1}, column '{key.Name}': the primary key is missing");
            if (!seen.TryAdd(value, i))
                throw new LoomDataException(
                    $"{source}: row {i + 1}, column '{key.Name}': primary key '{value}' repeats row {seen[value] + 1}");
        }
    }

    private static string Shorten(IReadOnlyList<string> values) =>
        values.Count <= 8 ? string.Join(", ", values) : string.Join(", ", values.Take(8)) + $", … {values.Count} in all";
}
