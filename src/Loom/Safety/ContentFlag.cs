namespace Loom.Safety;

/// <summary>
/// One finding of a content detector in a generated text: what it is (<see cref="Category"/>, e.g. <c>pii.email</c>),
/// how sure the detector is (<see cref="Score"/> in [0, 1]), where it sits (<see cref="Start"/>, <see cref="Length"/> in
/// characters of the text that was reviewed) and, where there is one, a detail such as the training example it copies.
/// </summary>
public sealed record ContentFlag(string Category, double Score, int Start, int Length, string Detector, string? Detail = null)
{
    /// <summary>The flagged characters of <paramref name="text"/>.</summary>
    public string Excerpt(string text) => text.Substring(Start, Length);

    /// <summary>Whether two flags cover at least one common character.</summary>
    public bool Overlaps(ContentFlag other) => Start < other.Start + other.Length && other.Start < Start + Length;
}
