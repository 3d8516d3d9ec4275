namespace Loom.Models.Tabular.Neural;

/// <summary>How CTGAN and TVAE turn a network's scores over a one-hot span (a category, or a number's mode) into one entry.</summary>
public enum OneHotChoice
{
    /// <summary>A draw from the span's softmax: the network's own distribution, rare categories included.</summary>
    Draw,

    /// <summary>
    /// The highest-scoring entry (SDV's TVAE): every span follows the latent alone, but categories and modes the network
    /// is unsure of are never produced.
    /// </summary>
    MostLikely,
}

/// <summary>
/// A <see cref="SampleRequest"/> option for CTGAN and TVAE: how one-hot spans are chosen. Without it both draw
/// (<see cref="IOneHotTableGenerator.DefaultOneHotChoice"/>; SDV's TVAE takes the most likely entry, see <see cref="TvaeModel"/>).
/// </summary>
public sealed record OneHotSampling(OneHotChoice Choice);

/// <summary>
/// The choice for each one-hot span of one sampling call: <see cref="OneHotChoice.MostLikely"/> spans take their highest
/// score except the spans of <paramref name="DrawnColumns"/> (the columns a label condition fixes, so that rejection keeps
/// rows where the network gives the requested category a chance rather than only those where it is the top one).
/// </summary>
public sealed record SpanChoices(OneHotChoice Choice, IReadOnlySet<int> DrawnColumns)
{
    public static SpanChoices AllDrawn { get; } = new(OneHotChoice.Draw, new HashSet<int>());

    /// <summary>Whether <paramref name="span"/> takes its highest-scoring entry.</summary>
    public bool TakesMostLikely(OutputSpan span) => Choice == OneHotChoice.MostLikely && !DrawnColumns.Contains(span.Column);
}
