namespace Loom.Models.Tabular.Neural;

/// <summary>
/// A table model whose network scores each category and each number's mode as a one-hot (CTGAN, TVAE), so a request
/// may say how one entry is picked (<see cref="OneHotSampling"/>): a capability callers ask for with <c>GetService</c>.
/// </summary>
public interface IOneHotTableGenerator : ITableGenerator
{
    /// <summary>How one-hot spans are chosen when a request has no <see cref="OneHotSampling"/> option.</summary>
    OneHotChoice DefaultOneHotChoice { get; }
}
