using Loom.IO;
using Loom.Models;
using Loom.Models.Adversarial.CycleGan;
using Loom.Watermarks.Images;
using TorchSharp;

namespace Loom.Safety.Images;

/// <summary>How <see cref="SampleToFile.Run"/> treats the samples between the model and the file.</summary>
public sealed record SampleToFileOptions
{
    /// <summary>Where to write (the format by extension, <see cref="SampleFiles.Write"/>); null formats the samples as text
    /// (<see cref="SampleFiles.Format"/>) instead.</summary>
    public string? Path { get; init; }
    /// <summary>Withholds near-copies of the training images (images only); null skips the check.</summary>
    public ImageMemorizationDetector? Memorization { get; init; }
    /// <summary>The invisible watermark put on images large enough to carry it (on by default, as everywhere in Loom).</summary>
    public ImageWatermarkOptions Watermark { get; init; } = new();
    /// <summary>Runs on the samples before the image safeguards, e.g. a content review of texts; null passes them as they are.</summary>
    public Func<SampleSet, SampleSet>? Review { get; init; }
}

/// <summary>What <see cref="SampleToFile.Run"/> did.</summary>
/// <param name="Written">The files written (several for audio: a WAV and its spectrogram PNG per clip); empty without a path.</param>
/// <param name="Text">The samples as text when no path was given, else null.</param>
/// <param name="Audio">Whether the samples were audio clips (<see cref="Written"/> then holds WAV, PNG pairs).</param>
/// <param name="Memorization">The near-copy review, or null without a detector.</param>
/// <param name="Watermark">Whether the watermark went on, and if not, why.</param>
/// <param name="ImageSize">Width and height of the images when they are images, else null.</param>
public sealed record SampleToFileResult(IReadOnlyList<string> Written, string? Text, bool Audio, ImageMemorizationReview? Memorization,
    SampleWatermarkOutcome Watermark, (long Width, long Height)? ImageSize);

/// <summary>
/// Samples a model, applies the image safeguards in their fixed order (<see cref="SafeguardedSamples"/>) and writes the
/// result — what <c>loom sample</c> does for every family but neural text. No tensor outlives the call. A CycleGAN asked
/// for samples without images of its own to translate gets its domain-A Fashion-MNIST test images.
/// </summary>
public static class SampleToFile
{
    public static SampleToFileResult Run(IGenerativeModel model, SampleRequest request, SampleToFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        using var scope = torch.NewDisposeScope();
        if (request.Get<TranslationInputs>() is null && model.GetService<IImageTranslator>() is { } translator
            && TranslationTestImages.DomainA(translator.Config) is { } images)
            request = request.With(images);
        var samples = model.Sample(request);
        if (options.Review is { } review) samples = review(samples);
        var safe = SafeguardedSamples.Apply(samples, options.Memorization, options.Watermark);
        var size = safe.Samples is TensorSamples { Values: var values } && values.dim() == 4
            ? (values.shape[3], values.shape[2]) : ((long, long)?)null;
        var written = options.Path is { } path ? SampleFiles.Write(safe.Samples, path) : [];
        string? text = options.Path is null ? SampleFiles.Format(safe.Samples) : null;
        return new SampleToFileResult(written, text, safe.Samples is Audio.AudioSamples, safe.Memorization, safe.Watermark, size);
    }
}
