namespace Loom.Data.Tables;

/// <summary>
/// One column's values: numbers for numeric, integer and datetime columns (datetimes as seconds since 1970; NaN =
/// missing), labels for the others (the text as written; null = missing). <see cref="Decimals"/> is the most decimal
/// places a number of the column was written with.
/// </summary>
public sealed class TableColumn
{
    public TableColumn(ColumnSpec spec, double[]? numbers, string?[]? labels, int decimals = 0)
    {
        Spec = spec;
        Numbers = numbers;
        Labels = labels;
        Decimals = decimals;
        if ((numbers is null) == (labels is null))
            throw new ArgumentException("a column holds numbers or labels");
    }

    public ColumnSpec Spec { get; }
    public string Name => Spec.Name;
    public ColumnKind Kind => Spec.Kind;
    public double[]? Numbers { get; }
    public string?[]? Labels { get; }
    public int Decimals { get; }

    public int Count => Numbers?.Length ?? Labels!.Length;

    /// <summary>True when row <paramref name="row"/> is missing.</summary>
    public bool IsMissing(int row) => Numbers is { } n ? double.IsNaN(n[row]) : Labels![row] is null;

    /// <summary>The fraction of rows that are missing.</summary>
    public double MissingRate() => Count == 0 ? 0 : Enumerable.Range(0, Count).Count(IsMissing) / (double)Count;

    /// <summary>This column's rows at <paramref name="rows"/>.</summary>
    public TableColumn Select(IReadOnlyList<int> rows) => new(Spec, Numbers is { } n ? rows.Select(r => n[r]).ToArray() : null,
        Labels is { } l ? rows.Select(r => l[r]).ToArray() : null, Decimals);

    /// <summary>Row <paramref name="row"/> as text (empty when missing).</summary>
    public string Format(int row)
    {
        if (Labels is { } labels) return labels[row] ?? "";
        double v = Numbers![row];
        if (double.IsNaN(v)) return "";
        return Kind switch
        {
            ColumnKind.Datetime => CellText.FormatDatetime(v, Spec.DatetimeFormat ?? "yyyy-MM-dd HH:mm:ss"),
            ColumnKind.Integer => CellText.FormatNumber(v, 0),
            _ => CellText.FormatNumber(v, Decimals),
        };
    }
}
