using Loom.Core;
using Loom.Data.Tables;

namespace Loom.Models.Tabular;

/// <summary>
/// One <c>column=value</c> condition (<see cref="TableConditions"/>) resolved against a model's column models: on a label
/// column, the category every output row has (<see cref="Category"/>); on a number column (numeric, integer, datetime), the
/// value every output row has (<see cref="Number"/>: present, exactly this value, within the range seen in training), the
/// other columns following the model's distribution given the column at (or, for rejection, near) that value.
/// </summary>
public sealed record ColumnCondition(int Column, string Name, string Text, int Category, double Number)
{
    /// <summary>True for a condition on a number column.</summary>
    public bool IsNumber => Category < 0;

    public override string ToString() => $"{Name}={Text}";

    /// <summary>Every condition of <paramref name="conditions"/> (none when null); a column conditioned twice is a usage error.</summary>
    public static IReadOnlyList<ColumnCondition> ResolveAll(IReadOnlyList<CopulaColumn> columns, TableConditions? conditions)
    {
        var resolved = new List<ColumnCondition>();
        foreach (var (name, value) in conditions?.Values ?? [])
        {
            var condition = Resolve(columns, name, value);
            if (resolved.Any(c => c.Column == condition.Column))
                throw LoomUsageException.ForOption("Condition", $"column '{name}' is conditioned twice");
            resolved.Add(condition);
        }
        return resolved;
    }

    /// <summary>
    /// The condition <paramref name="name"/>=<paramref name="value"/>; a usage error naming the option when there is no such
    /// column, it is an id, the category never occurred, or the number does not parse or lies outside the training range.
    /// </summary>
    public static ColumnCondition Resolve(IReadOnlyList<CopulaColumn> columns, string name, string value)
    {
        int j = columns.Select(c => c.Spec.Name).ToList().IndexOf(name);
        if (j < 0)
            throw LoomUsageException.ForOption("Condition",
                $"'{name}' is not a column; columns: {string.Join(", ", columns.Select(c => c.Spec.Name))}");
        var column = columns[j];
        if (!column.Modelled)
            throw LoomUsageException.ForOption("Condition", $"'{name}' is an id column; ids are regenerated, not conditioned on");
        if (column.Categories is { } categories)
        {
            int index = column.CategoryIndex(value);
            if (index < 0 || column.Frequencies![index] <= 0)
                throw LoomUsageException.ForOption("Condition", $"'{value}' never occurs in column '{name}'; seen: "
                    + string.Join(", ", categories.Where(c => c is not null).Take(12)));
            return new ColumnCondition(j, name, value, index, double.NaN);
        }
        double x = ParseNumber(column.Spec, value);
        var marginal = column.Marginal!;
        if (x < marginal.Low || x > marginal.High)
            throw LoomUsageException.ForOption("Condition",
                $"{name}={value} is outside the range seen in training [{marginal.Low}, {marginal.High}]");
        return new ColumnCondition(j, name, value, -1, x);
    }

    /// <summary>A condition's number as the column stores it (dates as seconds since 1970); a usage error when it does not parse.</summary>
    private static double ParseNumber(ColumnSpec spec, string text)
    {
        if (spec.Kind == ColumnKind.Datetime && spec.DatetimeFormat is { } format)
            return CellText.TryDatetime(text, format, out var seconds) ? seconds
                : throw LoomUsageException.ForOption("Condition", $"{spec.Name}={text}: not a date in the format {format}");
        bool ok = spec.Kind == ColumnKind.Integer ? CellText.TryInteger(text, out var value) : CellText.TryNumber(text, out value);
        return ok && double.IsFinite(value) ? value : throw LoomUsageException.ForOption("Condition",
            $"{spec.Name}={text}: not {(spec.Kind == ColumnKind.Integer ? "a whole number" : "a number")}");
    }

    /// <summary><paramref name="table"/> with each number condition's column set to its value on every row.</summary>
    public static Table WithNumbers(Table table, IEnumerable<ColumnCondition> conditions)
    {
        var columns = table.Columns.ToList();
        foreach (var c in conditions.Where(c => c.IsNumber))
            columns[c.Column] = new TableColumn(columns[c.Column].Spec, Enumerable.Repeat(c.Number, table.RowCount).ToArray(), null,
                columns[c.Column].Decimals);
        return new Table(table.Metadata, columns);
    }
}
