using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;
using Loom.IO.Checkpoints;

namespace Loom.Models.Tabular;

/// <summary>
/// How the copula models one column. A number-like column (numeric, integer, datetime) has a <see cref="Marginal"/>
/// on the range seen and a missing rate; values come back clamped to that range and rounded to the decimals seen
/// (integers to whole numbers, datetimes to their format's resolution). A label column (categorical, ordinal,
/// boolean; missing is a category of its own) has categories with their frequencies: category i owns the interval
/// [cᵢ, cᵢ + fᵢ) of [0, 1] (SDV's frequency-interval trick; ordinal levels in their order, others most frequent first).
/// An id column is not modelled: its values are regenerated.
/// </summary>
public sealed record CopulaColumn(ColumnSpec Spec)
{
    public Marginal? Marginal { get; init; }
    public double MissingRate { get; init; }
    public int Decimals { get; init; }
    public IReadOnlyList<string?>? Categories { get; init; }
    public IReadOnlyList<double>? Frequencies { get; init; }
    /// <summary>For an id column: whether the ids were whole numbers (regenerated as 0, 1, …; otherwise name_0, name_1, …).</summary>
    public bool IntegerIds { get; init; }

    /// <summary>True for columns with a dimension in the copula (all but ids).</summary>
    public bool Modelled => Spec.Kind != ColumnKind.Id;

    /// <summary>Fits a column's model from its values.</summary>
    public static CopulaColumn Fit(TableColumn column, string marginals)
    {
        var spec = column.Spec;
        if (spec.Kind == ColumnKind.Id)
            return new CopulaColumn(spec) { IntegerIds = column.Labels!.All(l => l is not null && CellText.TryInteger(l, out _)) };
        if (column.Numbers is { } numbers)
        {
            var present = numbers.Where(double.IsFinite).ToArray();
            var marginal = present.Length == 0 ? new UniformMarginal(0, 0) : MarginalFit.Fit(present, marginals);
            return new CopulaColumn(spec) { Marginal = marginal, MissingRate = column.MissingRate(), Decimals = column.Decimals };
        }
        var counts = column.Labels!.GroupBy(l => l).Select(g => (Value: g.Key, Count: g.Count())).ToList();
        var ordered = spec.Kind == ColumnKind.Ordinal && spec.Values is { } levels
            ? counts.OrderBy(c => c.Value is null ? int.MaxValue : IndexOf(levels, c.Value)).ToList()
            : counts.OrderByDescending(c => c.Count).ThenBy(c => c.Value, StringComparer.Ordinal).ToList();
        return new CopulaColumn(spec)
        {
            Categories = ordered.Select(c => c.Value).ToList(),
            Frequencies = ordered.Select(c => c.Count / (double)column.Count).ToList(),
            MissingRate = column.MissingRate(),
        };
    }

    /// <summary>The interval of [0, 1] category <paramref name="index"/> owns.</summary>
    public (double Low, double High) Interval(int index)
    {
        double low = 0;
        for (int i = 0; i < index; i++) low += Frequencies![i];
        return (low, index == Frequencies!.Count - 1 ? 1 : low + Frequencies[index]);
    }

    /// <summary>The u in (0, 1) a value maps to (a label: a uniform draw in its interval); NaN for a missing number.</summary>
    public double ToUniform(TableColumn column, int row, Random random)
    {
        if (Marginal is { } marginal)
            return column.Numbers![row] is var x && double.IsNaN(x) ? double.NaN : marginal.Cdf(x);
        int index = CategoryIndex(column.Labels![row]);
        var (low, high) = Interval(index);
        return low + random.NextDouble() * (high - low);
    }

    /// <summary>The index of <paramref name="value"/> among <see cref="Categories"/>, or −1.</summary>
    public int CategoryIndex(string? value)
    {
        for (int i = 0; i < Categories!.Count; i++)
            if (Categories[i] == value) return i;
        return -1;
    }

    /// <summary>The number a uniform u maps back to: F⁻¹(u), clamped to the range and rounded as the data was.</summary>
    public double NumberFrom(double u) => Round(Marginal!.Quantile(u));

    /// <summary>A number clamped to the range seen and rounded as the column's values were written.</summary>
    public double Round(double x)
    {
        x = Math.Clamp(x, Marginal!.Low, Marginal.High);
        double rounded = Spec.Kind switch
        {
            ColumnKind.Integer => Math.Round(x),
            ColumnKind.Datetime => Math.Round(x / CellText.DatetimeResolution(Spec.DatetimeFormat ?? "s"))
                * CellText.DatetimeResolution(Spec.DatetimeFormat ?? "s"),
            _ => Math.Round(x, Math.Min(Decimals, 15)),
        };
        return Math.Clamp(rounded, Marginal.Low, Marginal.High);
    }

    /// <summary>The category a uniform u falls into.</summary>
    public string? LabelFrom(double u)
    {
        double upper = 0;
        for (int i = 0; i < Frequencies!.Count; i++)
        {
            upper += Frequencies[i];
            if (u < upper) return Categories![i];
        }
        return Categories![^1];
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["name"] = Spec.Name, ["missing_rate"] = MissingRate, ["decimals"] = Decimals, ["integer_ids"] = IntegerIds,
        };
        if (Marginal is { } marginal) json["marginal"] = marginal.ToJson();
        if (Categories is { } categories)
        {
            json["categories"] = new JsonArray(categories.Select(c => (JsonNode?)(c is null ? null : JsonValue.Create(c))).ToArray());
            json["frequencies"] = new JsonArray(Frequencies!.Select(f => (JsonNode)JsonValue.Create(f)).ToArray());
        }
        return json;
    }

    public static CopulaColumn FromJson(JsonObject json, ColumnSpec spec)
    {
        var values = new ConfigValues(json);
        var column = new CopulaColumn(spec)
        {
            MissingRate = values.Double("missing_rate", 0, 1),
            Decimals = values.Int("decimals", 0, 30),
            IntegerIds = values.Bool("integer_ids", false),
        };
        if (spec.Kind == ColumnKind.Id) return column;
        if (spec.Kind.IsNumberLike())
            return column with
            {
                Marginal = Marginal.FromJson(json["marginal"] as JsonObject
                ?? throw new LoomDataException($"config.json: column '{spec.Name}' has no marginal"))
            };
        var categories = (json["categories"] as JsonArray)?.Select(c => c?.GetValue<string>()).ToList();
        var frequencies = (json["frequencies"] as JsonArray)?.Select(f => f?.GetValue<double>() ?? double.NaN).ToList();
        if (categories is null || frequencies is null || categories.Count == 0 || categories.Count != frequencies.Count
            || frequencies.Any(f => !(f >= 0)))
            throw new LoomDataException($"config.json: column '{spec.Name}' needs as many categories as frequencies");
        return column with { Categories = categories, Frequencies = frequencies };
    }

    private static int IndexOf(IReadOnlyList<string> levels, string value)
    {
        for (int i = 0; i < levels.Count; i++)
            if (levels[i] == value) return i;
        return levels.Count;
    }
}
