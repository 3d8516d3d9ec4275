using Loom.Models;
using Loom.Watermarks.Images;

namespace Loom.Safety.Images;

/// <summary>What became of the invisible watermark on a set of samples.</summary>
public enum SampleWatermarkOutcome
{
    /// <summary>The samples are not images; nothing to mark.</summary>
    NotImages,
    /// <summary>The watermark options are off.</summary>
    Disabled,
    /// <summary>The images are smaller than the watermark needs (<see cref="ImageWatermarkOptions.MinSide"/>); written unmarked.</summary>
    TooSmall,
    /// <summary>Every image carries the mark.</summary>
    Marked,
}

/// <summary>
/// Generated samples after Loom's image safeguards, in their fixed order: the near-copy check against training images
/// (when a detector is given) and then the invisible watermark. Other samples pass unchanged.
/// </summary>
/// <param name="Samples">The samples to hand out.</param>
/// <param name="Memorization">The near-copy review, or null without a detector.</param>
/// <param name="Watermark">Whether the watermark went on, and if not, why.</param>
public sealed record SafeguardedSamples(SampleSet Samples, ImageMemorizationReview? Memorization, SampleWatermarkOutcome Watermark)
{
    /// <summary>
    /// Applies the safeguards to <paramref name="samples"/>: withholds near-copies of the training images when
    /// <paramref name="memorization"/> says so, then marks the images with <paramref name="watermark"/> when it is enabled
    /// and they are large enough.
    /// </summary>
    public static SafeguardedSamples Apply(SampleSet samples, ImageMemorizationDetector? memorization, ImageWatermarkOptions watermark)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(watermark);
        var review = memorization is null ? null : ImageMemorizationReview.Of(samples, memorization);
        var reviewed = review?.Samples ?? samples;
        var outcome = reviewed is not TensorSamples { Values: var values } || values.dim() != 4 ? SampleWatermarkOutcome.NotImages
            : !watermark.Enabled ? SampleWatermarkOutcome.Disabled
            : !SampleWatermark.CanMark(reviewed) ? SampleWatermarkOutcome.TooSmall
            : SampleWatermarkOutcome.Marked;
        var shown = outcome == SampleWatermarkOutcome.Marked ? SampleWatermark.Apply(reviewed, watermark) : reviewed;
        return new SafeguardedSamples(shown, review, outcome);
    }
}
