using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;

namespace Loom.Data.Tables;

/// <summary>
/// A table's metadata in SDV's single-table layout: <c>{"primary_key": "id", "columns": {"cut": {"sdtype": "ordinal",
/// "order": [...]}, "price": {"sdtype": "numerical", "computer_representation": "Int64"}, "date": {"sdtype": "datetime",
/// "datetime_format": "yyyy-MM-dd"}}}</c>. Loom adds the sdtypes <c>integer</c> and <c>ordinal</c>, <c>values</c> (a
/// categorical column's allowed values) and <c>min</c>/<c>max</c> bounds. Columns are in the CSV's order.
/// </summary>
public sealed record TableMetadata(IReadOnlyList<ColumnSpec> Columns, string? PrimaryKey)
{
    /// <summary>The column called <paramref name="name"/> (case-sensitive), or null.</summary>
    public ColumnSpec? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>Metadata as JSON (the layout above).</summary>
    public JsonObject ToJson()
    {
        var columns = new JsonObject();
        foreach (var c in Columns)
        {
            var o = new JsonObject { ["sdtype"] = c.Kind.SdType() };
            if (c.Kind is ColumnKind.Numeric or ColumnKind.Integer)
                o["computer_representation"] = c.Kind == ColumnKind.Integer ? "Int64" : "Float";
            if (c.Values is { } values)
                o[c.Kind == ColumnKind.Ordinal ? "order" : "values"] =
                    new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
            if (c.DatetimeFormat is { } format) o["datetime_format"] = format;
            if (c.Min is { } min) o["min"] = min;
            if (c.Max is { } max) o["max"] = max;
            columns[c.Name] = o;
        }
        var json = new JsonObject();
        if (PrimaryKey is not null) json["primary_key"] = PrimaryKey;
        json["columns"] = columns;
        return json;
    }

    /// <summary>Writes the metadata as indented JSON, atomically.</summary>
    public void Save(string path) =>
        AtomicFile.WriteAllText(path, ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>Reads a metadata file; errors name the file and the column.</summary>
    public static TableMetadata Load(string path)
    {
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: no such metadata file");
        JsonNode? node;
        try { node = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new LoomDataException($"{path}: not valid JSON ({e.Message})", e); }
        return FromJson(node as JsonObject ?? throw new LoomDataException($"{path}: expected a JSON object"), path);
    }

    /// <summary>Metadata from its JSON; <paramref name="source"/> names it in errors.</summary>
    public static TableMetadata FromJson(JsonObject json, string source)
    {
        if (json["columns"] is not JsonObject columns)
            throw new LoomDataException($"{source}: expected a 'columns' object");
        var specs = new List<ColumnSpec>();
        foreach (var (name, value) in columns)
        {
            string where = $"{source}: column '{name}'";
            if (value is not JsonObject o || o["sdtype"]?.GetValueKind() != JsonValueKind.String)
                throw new LoomDataException($"{where}: expected an object with an 'sdtype'");
            var kind = ColumnKinds.Parse((string)o["sdtype"]!, (string?)o["computer_representation"], where);
            var values = (o["order"] ?? o["values"]) is JsonArray array
                ? array.Select(v => v?.GetValueKind() is JsonValueKind.String or JsonValueKind.Number
                    or JsonValueKind.True or JsonValueKind.False
                        ? v.ToString() : throw new LoomDataException($"{where}: order/values must be strings")).ToList()
                : null;
            if (kind == ColumnKind.Ordinal && values is null)
                throw new LoomDataException($"{where}: an ordinal column needs its levels in 'order'");
            specs.Add(new ColumnSpec(name, kind)
            {
                Values = values, DatetimeFormat = (string?)o["datetime_format"],
                Min = Number(o, "min", where), Max = Number(o, "max", where),
            });
        }
        var key = json["primary_key"]?.GetValueKind() == JsonValueKind.String ? (string?)json["primary_key"] : null;
        return new TableMetadata(specs, key);
    }

    /// <summary>
    /// This (detected) metadata with the columns <paramref name="overrides"/> declares replaced by its declarations, and its
    /// primary key when it names one. A declared column the table lacks is an error.
    /// </summary>
    public TableMetadata Overlay(TableMetadata overrides, string source)
    {
        foreach (var c in overrides.Columns)
            if (Find(c.Name) is null)
                throw new LoomDataException(
                    $"{source}: column '{c.Name}' is not in the table (columns: {string.Join(", ", Columns.Select(x => x.Name))})");
        if (overrides.PrimaryKey is { } declared && Find(declared) is null)
            throw new LoomDataException($"{source}: primary_key '{declared}' is not one of the columns");
        var columns = Columns.Select(c => overrides.Find(c.Name) ?? c).ToList();
        var key = overrides.PrimaryKey ?? (PrimaryKey is { } k && columns.First(c => c.Name == k).Kind == ColumnKind.Id ? k : null);
        if (key is not null)
            columns = columns.Select(c => c.Name == key ? c with { Kind = ColumnKind.Id } : c).ToList();
        return new TableMetadata(columns, key);
    }

    private static double? Number(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) => d,
        _ => throw new LoomDataException($"{where}: '{key}' must be a number"),
    };
}
