using Loom.Models;

namespace Loom.Watermarks.Images;

/// <summary>
/// Marks the images among generated samples before they reach a user: the one step <c>loom sample</c>, the server and
/// <see cref="GeneratedImages"/> share. Samples that are not images ([N,C,H,W] with C = 1, 3 or 4), and images smaller
/// than <see cref="ImageWatermarkOptions.MinSide"/> pixels a side, pass unchanged.
/// </summary>
public static class SampleWatermark
{
    /// <summary>True when <paramref name="samples"/> are images the watermark can carry.</summary>
    public static bool CanMark(SampleSet samples) =>
        samples is TensorSamples { Values: var v } && v.dim() == 4 && v.shape[1] is 1 or 3 or 4
        && v.shape[2] >= ImageWatermarkOptions.MinSide && v.shape[3] >= ImageWatermarkOptions.MinSide && v.is_floating_point();

    /// <summary>
    /// <paramref name="samples"/> with their images marked when <paramref name="options"/> are enabled and the images can
    /// carry the mark (<see cref="CanMark"/>); otherwise <paramref name="samples"/> itself. Labels and class names are kept.
    /// </summary>
    public static SampleSet Apply(SampleSet samples, ImageWatermarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!options.Enabled || !CanMark(samples))
            return samples;
        var images = (TensorSamples)samples;
        return images with { Values = new ImageWatermarker(options).Embed(images.Values) };
    }
}
