namespace Loom.Safety.Images;

/// <summary>
/// A generated image that is a near-copy of a training image: which one (<see cref="TrainingIndex"/>, 0-based in the
/// training set's order), how far apart they are (RMS pixel distance), the threshold it fell under and a score in
/// [0.5, 1] (1 for an exact copy, 0.5 at the threshold).
/// </summary>
public sealed record ImageMemorizationFlag(int Image, long TrainingIndex, double Distance, double Threshold, double Score, string Source)
{
    /// <summary>Always <see cref="ContentCategories.Memorization"/>.</summary>
    public string Category => ContentCategories.Memorization;

    /// <summary>What the training image is called, e.g. its file name; null when only its index is known.</summary>
    public string? TrainingName { get; init; }

    /// <summary>One line for reports: <c>near-copy of fashion-mnist image 1234 (RMS distance 0.0120 ≤ 0.0410)</c>.</summary>
    public string Detail => $"near-copy of {Source} image {TrainingIndex}{(TrainingName is null ? "" : $" ({TrainingName})")} "
        + $"(RMS distance {Distance:F4} ≤ {Threshold:F4})";
}
