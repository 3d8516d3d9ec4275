namespace Loom.Data.Tables;

/// <summary>
/// One column's metadata: its name, kind and, where declared, its domain — the levels of an ordinal column in order,
/// the allowed values of a categorical column, bounds of a numeric or datetime column — and a datetime column's format
/// (a .NET custom format such as <c>yyyy-MM-dd</c>).
/// </summary>
public sealed record ColumnSpec(string Name, ColumnKind Kind)
{
    /// <summary>Ordinal levels in order, or the allowed values of a categorical column; null = any value.</summary>
    public IReadOnlyList<string>? Values { get; init; }

    /// <summary>Declared lower and upper bounds (numeric, integer; datetime in the column's format); null = none.</summary>
    public double? Min { get; init; }
    public double? Max { get; init; }

    /// <summary>Datetime format (.NET custom format string).</summary>
    public string? DatetimeFormat { get; init; }
}
