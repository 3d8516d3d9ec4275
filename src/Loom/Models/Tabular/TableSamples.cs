using Loom.Data.Tables;

namespace Loom.Models.Tabular;

/// <summary>Rows of a synthetic table, with the metadata of the table the model was trained on; written as CSV.</summary>
public sealed record TableSamples(Table Table) : SampleSet;

/// <summary>
/// Values some columns of every sampled row must have (<c>--condition col=value</c>), as a <see cref="SampleRequest"/>
/// option. Values are text as in the CSV; the model checks each against its column.
/// </summary>
public sealed record TableConditions(IReadOnlyList<KeyValuePair<string, string>> Values)
{
    /// <summary>Parses <c>col=value</c> specs (the column name up to the first '=').</summary>
    public static TableConditions Parse(IEnumerable<string> specs) =>
        new(specs.Select(spec => spec.IndexOf('=') is var at && at > 0
            ? new KeyValuePair<string, string>(spec[..at].Trim(), spec[(at + 1)..].Trim())
            : throw Core.LoomUsageException.ForOption("Condition", $"expected col=value, got '{spec}'")).ToList());
}
