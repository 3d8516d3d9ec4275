using Loom.Core;

namespace Loom.Data.Tables;

/// <summary>What a table column holds (SDV's sdtypes, with integer and ordinal apart).</summary>
public enum ColumnKind
{
    /// <summary>Real numbers (SDV: numerical, Float).</summary>
    Numeric,
    /// <summary>Whole numbers (SDV: numerical, Int64).</summary>
    Integer,
    /// <summary>Labels without an order.</summary>
    Categorical,
    /// <summary>Labels with a declared order (e.g. an R ordered factor's levels).</summary>
    Ordinal,
    /// <summary>True/false values, kept in the spelling the data uses.</summary>
    Boolean,
    /// <summary>Dates and times in one format.</summary>
    Datetime,
    /// <summary>Identifiers (a primary key): regenerated, never modelled.</summary>
    Id,
}

/// <summary>Names of <see cref="ColumnKind"/> in metadata files.</summary>
public static class ColumnKinds
{
    /// <summary>True for kinds stored as numbers (numeric, integer, datetime).</summary>
    public static bool IsNumberLike(this ColumnKind kind) => kind is ColumnKind.Numeric or ColumnKind.Integer or ColumnKind.Datetime;

    /// <summary>True for kinds stored as labels (categorical, ordinal, boolean).</summary>
    public static bool IsLabel(this ColumnKind kind) => kind is ColumnKind.Categorical or ColumnKind.Ordinal or ColumnKind.Boolean;

    /// <summary>The kind an sdtype names: SDV's (numerical, categorical, boolean, datetime, id) and Loom's (integer, ordinal).</summary>
    public static ColumnKind Parse(string sdtype, string? representation, string where) =>
        sdtype.Trim().ToLowerInvariant() switch
        {
            "numerical" or "numeric" => representation?.Trim().ToLowerInvariant() is { } r && r.StartsWith("int")
                ? ColumnKind.Integer : ColumnKind.Numeric,
            "integer" => ColumnKind.Integer,
            "categorical" => ColumnKind.Categorical,
            "ordinal" => ColumnKind.Ordinal,
            "boolean" => ColumnKind.Boolean,
            "datetime" => ColumnKind.Datetime,
            "id" => ColumnKind.Id,
            _ => throw new LoomDataException($"{where}: sdtype '{sdtype}' is not one of numerical, integer, categorical, ordinal, "
                + "boolean, datetime, id"),
        };

    /// <summary>The sdtype written for <paramref name="kind"/> (integer as numerical with an Int64 representation).</summary>
    public static string SdType(this ColumnKind kind) => kind switch
    {
        ColumnKind.Numeric or ColumnKind.Integer => "numerical",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
