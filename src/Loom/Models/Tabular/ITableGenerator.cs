using Loom.Data.Tables;

namespace Loom.Models.Tabular;

/// <summary>
/// A model that generates rows of a table (<see cref="TableSamples"/>) and takes <see cref="TableConditions"/> in a
/// <see cref="SampleRequest"/>: callers ask for it with <c>GetService</c>, as for the other capabilities.
/// </summary>
public interface ITableGenerator
{
    /// <summary>The metadata of the table the model learned (and of the rows it writes).</summary>
    TableMetadata Metadata { get; }
}
