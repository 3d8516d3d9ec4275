using Loom.Models;

namespace Loom.Audio;

/// <summary>
/// Generated audio clips; <paramref name="Labels"/> are the classes a conditional model was asked for (one per clip,
/// indices into <see cref="ClassNames"/>), null for an unconditional model.
/// </summary>
public sealed record AudioSamples(IReadOnlyList<AudioClip> Clips, IReadOnlyList<int>? Labels = null) : SampleSet
{
    /// <summary>What each label names (e.g. the digit words), or null.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>The class clip <paramref name="index"/> was drawn for — its name when the samples name their classes, else its
    /// id — or null for unlabelled clips.</summary>
    public string? ClassOf(int index) => Labels is { } labels
        ? ClassNames is { } names && labels[index] >= 0 && labels[index] < names.Count ? names[labels[index]]
            : labels[index].ToString(System.Globalization.CultureInfo.InvariantCulture)
        : null;
}
