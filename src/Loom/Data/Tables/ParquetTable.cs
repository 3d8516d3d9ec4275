using System.Globalization;
using Loom.Core;
using Loom.IO;
using Parquet;
using Parquet.Schema;

namespace Loom.Data.Tables;

/// <summary>
/// Tables in Apache Parquet files (Parquet.Net). Reading turns each flat column into cells — numbers in invariant culture,
/// booleans as True/False, timestamps as <c>yyyy-MM-dd</c> when every value is midnight and <c>yyyy-MM-dd HH:mm:ss</c>
/// otherwise, strings as they are, nulls as missing — and detects the metadata from them exactly as for a CSV (so a
/// sidecar metadata file overrides it the same way). Writing stores integer columns as int64, other numbers as double,
/// datetimes as timestamps, booleans (when every value reads as one) as boolean and the other label columns as strings,
/// every column nullable. Nested columns (lists, maps, structs) and binary columns are refused with one line.
/// </summary>
public static class ParquetTable
{
    /// <summary>True when <paramref name="path"/> names a Parquet file (by its extension).</summary>
    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file's header and rows of cells (missing: empty).</summary>
    public static (string[] Header, List<string[]> Rows) ReadCells(string path)
    {
        try
        {
            return ReadCellsAsync(path).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not LoomException && e is IOException or InvalidDataException or NotSupportedException
                                      or ArgumentException or InvalidOperationException or IndexOutOfRangeException
                                      or FormatException or OverflowException)
        {
            throw new LoomDataException($"{path}: not a readable Parquet file ({e.Message})");
        }
    }

    private static async Task<(string[] Header, List<string[]> Rows)> ReadCellsAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.Fields.ToList();
        foreach (var field in fields)
            if (field is not DataField data || data.IsArray)
                throw new LoomDataException($"{path}: column '{field.Name}' is a nested {field.SchemaType.ToString().ToLowerInvariant()}"
                    + " column; a table needs flat columns");
        var dataFields = fields.Cast<DataField>().ToArray();
        var columns = dataFields.Select(_ => new List<string>()).ToArray();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            for (int j = 0; j < dataFields.Length; j++)
                columns[j].AddRange(await ReadColumn(group, dataFields[j], rows, path));
        }
        for (int j = 0; j < dataFields.Length; j++)
            if (dataFields[j].ClrType == typeof(DateTime)) MidnightDates(columns[j]);
        int count = columns.Length == 0 ? 0 : columns[0].Count;
        var table = Enumerable.Range(0, count).Select(i => columns.Select(c => c[i]).ToArray()).ToList();
        return (dataFields.Select(f => f.Name).ToArray(), table);
    }

    private static async Task<IEnumerable<string>> ReadColumn(ParquetRowGroupReader group, DataField field, int rows, string path)
    {
        var type = field.ClrType;
        // Parquet.Net 6 gives string columns the CLR type ReadOnlyMemory<char>; they read into strings all the same.
        if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
        {
            var values = new string?[rows];
            await group.ReadAsync(field, values.AsMemory());
            return values.Select(v => v ?? "");
        }
        return type switch
        {
            _ when type == typeof(bool) => await Read<bool>(group, field, rows, v => v ? "True" : "False"),
            _ when type == typeof(byte) => await Read<byte>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture)),
            _ when type == typeof(sbyte) => await Read<sbyte>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture)),
            _ when type == typeof(short) => await Read<short>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture)),
            _ when type == typeof(ushort) => await Read<ushort>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture)),
            _ when type == typeof(int) => await Read<int>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture)),
            _ when type == typeof(uint) => await Read<uint>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture)),
            _ when type == typeof(long) => await Read<long>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture)),
            _ when type == typeof(ulong) => await Read<ulong>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture)),
            _ when type == typeof(float) => await Read<float>(group, field, rows, v => v.ToString("R", CultureInfo.InvariantCulture)),
            _ when type == typeof(double) => await Read<double>(group, field, rows, v => v.ToString("R", CultureInfo.InvariantCulture)),
            _ when type == typeof(decimal) => await Read<decimal>(group, field, rows, v => v.ToString(CultureInfo.InvariantCulture)),
            _ when type == typeof(DateTime) => await Read<DateTime>(group, field, rows,
                v => v.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
            _ when type == typeof(DateOnly) => await Read<DateOnly>(group, field, rows,
                v => v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            _ => throw new LoomDataException($"{path}: column '{field.Name}' holds {type.Name} values; a table reads numbers, "
                + "booleans, strings, dates and timestamps"),
        };
    }

    private static async Task<IEnumerable<string>> Read<T>(ParquetRowGroupReader group, DataField field, int rows, Func<T, string> format)
        where T : struct
    {
        var values = new T?[rows];
        await group.ReadAsync(field, values.AsMemory());
        return values.Select(v => v is { } x ? format(x) : "");
    }

    /// <summary>Timestamps that are all midnight are dates: their cells lose the time of day.</summary>
    private static void MidnightDates(List<string> cells)
    {
        if (cells.All(c => c.Length == 0 || c.EndsWith(" 00:00:00", StringComparison.Ordinal)))
            for (int i = 0; i < cells.Count; i++)
                if (cells[i].Length > 0) cells[i] = cells[i][..^9];
    }

    /// <summary>Writes <paramref name="table"/> as a Parquet file, atomically.</summary>
    public static void Write(Table table, string path)
    {
        using var buffer = new MemoryStream();
        WriteAsync(table, buffer).GetAwaiter().GetResult();
        AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }

    private static async Task WriteAsync(Table table, Stream stream)
    {
        var fields = table.Columns.Select(Field).ToArray();
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
        using var group = writer.CreateRowGroup();
        for (int j = 0; j < fields.Length; j++)
        {
            var column = table.Columns[j];
            var field = fields[j];
            if (column.Labels is { } labels && field.ClrType != typeof(bool))
                await group.WriteAsync(field, labels);
            else if (field.ClrType == typeof(bool))
                await group.WriteAsync(field, Values(column.Labels!.Select(l => l is null ? (bool?)null : bool.Parse(l))));
            else if (field.ClrType == typeof(long))
                await group.WriteAsync(field, Values(column.Numbers!.Select(v => double.IsNaN(v) ? (long?)null : (long)v)));
            else if (field.ClrType == typeof(DateTime))
                await group.WriteAsync(field, Values(column.Numbers!.Select(v => double.IsNaN(v) ? (DateTime?)null
                    : DateTime.SpecifyKind(DateTime.UnixEpoch.AddSeconds(Math.Round(v)), DateTimeKind.Utc))));
            else
                await group.WriteAsync(field, Values(column.Numbers!.Select(v => double.IsNaN(v) ? (double?)null : v)));
        }
    }

    private static DataField Field(TableColumn column)
    {
        if (column.Labels is { } labels)
            return column.Kind == ColumnKind.Boolean && labels.All(l => l is null || bool.TryParse(l, out _))
                ? new DataField<bool?>(column.Name) : new DataField<string>(column.Name, true);
        return column.Kind switch
        {
            ColumnKind.Integer => new DataField<long?>(column.Name),
            ColumnKind.Datetime => new DataField<DateTime?>(column.Name),
            _ => new DataField<double?>(column.Name),
        };
    }

    private static ReadOnlyMemory<T?> Values<T>(IEnumerable<T?> values) where T : struct => values.ToArray();
}
