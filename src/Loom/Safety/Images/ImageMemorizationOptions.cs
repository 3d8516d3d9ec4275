using Loom.Core;

namespace Loom.Safety.Images;

/// <summary>
/// When a generated image counts as a near-copy of a training image: its root-mean-square pixel distance (pixels in
/// [0, 1]) to the nearest training image is at most <see cref="Threshold"/>, or, when no threshold is given, at most
/// <see cref="CalibrationFactor"/> × the <see cref="CalibrationQuantile"/> quantile of the distances between training
/// images and their nearest other training image (measured on <see cref="CalibrationImages"/> of them, seeded).
/// A record of init-only values: change a copy with <c>with { }</c>.
/// </summary>
public sealed record ImageMemorizationOptions
{
    /// <summary>A fixed RMS pixel distance at or below which an image is a near-copy; null: calibrated on the training set.</summary>
    public double? Threshold { get; init; }
    /// <summary>Which quantile of the training images' own nearest-neighbour distances the calibrated threshold starts from.</summary>
    public double CalibrationQuantile { get; init; } = 0.01;
    /// <summary>The calibrated threshold is this share of that quantile, so that distinct real images are not flagged.</summary>
    public double CalibrationFactor { get; init; } = 0.5;
    /// <summary>How many training images the calibration measures (all when there are fewer).</summary>
    public int CalibrationImages { get; init; } = 1000;
    /// <summary>Seed of the calibration subset.</summary>
    public long Seed { get; init; }
    /// <summary>What happens to a flagged image: Flag keeps it; Redact and Block withhold it (a blank image in its place).</summary>
    public ModerationAction Action { get; init; } = ModerationAction.Flag;
    /// <summary>How reports name the training images, e.g. <c>fashion-mnist</c>; null: the data set's name, or
    /// "training images".</summary>
    public string? Source { get; init; }

    public void Validate()
    {
        if (Threshold is { } t && !(t >= 0 && t <= 1))
            throw LoomUsageException.ForOption(nameof(Threshold), $"must be an RMS pixel distance in [0, 1], got {t}");
        if (!(CalibrationQuantile >= 0 && CalibrationQuantile <= 1))
            throw LoomUsageException.ForOption(nameof(CalibrationQuantile), $"must be in [0, 1], got {CalibrationQuantile}");
        if (!(CalibrationFactor > 0 && CalibrationFactor <= 1))
            throw LoomUsageException.ForOption(nameof(CalibrationFactor), $"must be in (0, 1], got {CalibrationFactor}");
        if (CalibrationImages < 1)
            throw LoomUsageException.ForOption(nameof(CalibrationImages), $"must be at least 1, got {CalibrationImages}");
        if (!Enum.IsDefined(Action))
            throw LoomUsageException.ForOption(nameof(Action), $"unknown action {(int)Action}");
    }
}
