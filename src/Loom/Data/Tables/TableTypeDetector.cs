namespace Loom.Data.Tables;

/// <summary>
/// Guesses each column's kind from its text, as SDV's metadata detection does: booleans (true/false, yes/no), whole
/// numbers, numbers, datetimes in one of <see cref="CellText.DatetimeFormats"/>, else categorical. A column named
/// <c>id</c> or <c>…_id</c> whose values are all present and unique is an id, the first such the primary key.
/// Missing cells are ignored; a column of only missing cells is categorical.
/// </summary>
public static class TableTypeDetector
{
    /// <summary>Metadata for a table with <paramref name="header"/> and rows of cells (as many as the header).</summary>
    public static TableMetadata Detect(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        var specs = new List<ColumnSpec>();
        string? key = null;
        for (int j = 0; j < header.Count; j++)
        {
            var cells = rows.Select(r => r[j].Trim()).ToList();
            var present = cells.Where(c => !CellText.IsMissing(c)).ToList();
            var spec = DetectColumn(header[j], present);
            if (key is null && LooksLikeKey(header[j], cells, present))
            {
                spec = new ColumnSpec(header[j], ColumnKind.Id);
                key = header[j];
            }
            specs.Add(spec);
        }
        return new TableMetadata(specs, key);
    }

    private static ColumnSpec DetectColumn(string name, List<string> present)
    {
        if (present.Count == 0) return new ColumnSpec(name, ColumnKind.Categorical);
        if (present.All(CellText.IsBoolean)) return new ColumnSpec(name, ColumnKind.Boolean);
        if (present.All(c => CellText.TryInteger(c, out _))) return new ColumnSpec(name, ColumnKind.Integer);
        if (present.All(c => CellText.TryNumber(c, out _))) return new ColumnSpec(name, ColumnKind.Numeric);
        foreach (var format in CellText.DatetimeFormats)
            if (present.All(c => CellText.TryDatetime(c, format, out _)))
                return new ColumnSpec(name, ColumnKind.Datetime) { DatetimeFormat = format };
        return new ColumnSpec(name, ColumnKind.Categorical);
    }

    private static bool LooksLikeKey(string name, List<string> cells, List<string> present)
    {
        var lower = name.Trim().ToLowerInvariant();
        bool named = lower == "id" || lower.EndsWith("_id") || lower == "key";
        return named && present.Count == cells.Count && present.Count > 0 && present.Distinct().Count() == present.Count;
    }
}
