using Loom.Models;
using TorchSharp;

namespace Loom.Safety.Images;

/// <summary>
/// Generated images after the memorization check: the images to show (near-copies withheld as blank images when the
/// action is Redact or Block — never dropped, so positions and counts stay), the flags, and which images were withheld.
/// </summary>
public sealed record ImageMemorizationReview(SampleSet Samples, IReadOnlyList<ImageMemorizationFlag> Flags, IReadOnlyList<int> Withheld)
{
    /// <summary>True when any image was flagged.</summary>
    public bool Flagged => Flags.Count > 0;

    /// <summary>
    /// Checks the images among <paramref name="samples"/> ([n, C, H, W]; other samples pass unchanged) against the
    /// training images of <paramref name="detector"/> and applies its action. Call before the watermark goes on.
    /// </summary>
    public static ImageMemorizationReview Of(SampleSet samples, ImageMemorizationDetector detector)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(detector);
        if (samples is not TensorSamples { Values: var values } images || values.dim() != 4)
            return new ImageMemorizationReview(samples, [], []);
        var flags = detector.Detect(values);
        if (flags.Count == 0 || detector.Action == ModerationAction.Flag)
            return new ImageMemorizationReview(samples, flags, []);
        var withheld = flags.Select(f => f.Image).ToArray();
        var shown = values.clone();
        using (var index = torch.tensor(withheld.Select(i => (long)i).ToArray(), device: values.device))
            shown.index_fill_(0, index, 0.0);
        return new ImageMemorizationReview(images with { Values = shown }, flags, withheld);
    }
}
