using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// What a caller does with a translator's output: translated images as samples labelled with the target domain's
/// Fashion-MNIST class (so <c>loom eval</c> can say how often the translation is classified as it), and the round trip
/// as a strip of original | translated | reconstructed.
/// </summary>
public static class ImageTranslations
{
    /// <summary>
    /// <paramref name="images"/> ([n, C, H, W] in [0, 1]) translated <paramref name="direction"/>, labelled with the
    /// target domain's class when the domain is a Fashion-MNIST class (no labels otherwise).
    /// </summary>
    public static TensorSamples Translate(IImageTranslator model, Tensor images, TranslationDirection direction)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        var translated = model.Translate(images, direction);
        var targetClass = direction == TranslationDirection.AtoB ? model.Config.DomainBClass : model.Config.DomainAClass;
        var labels = targetClass is { } c ? torch.full(translated.shape[0], (long)c, ScalarType.Int64) : null;
        return new TensorSamples(translated, labels) { ClassNames = labels is null ? null : FashionMnist.ClassNames };
    }

    /// <summary>
    /// The round trip of each image as three consecutive images — original, translated, reconstructed — so a grid of three
    /// columns shows one image per row ([3n, C, H, W] on the CPU).
    /// </summary>
    public static Tensor CycleStrip(IImageTranslator model, Tensor images, TranslationDirection direction)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        var (translated, reconstructed) = model.Cycle(images, direction);
        return torch.stack([images.cpu(), translated.cpu(), reconstructed.cpu()], 1).flatten(0, 1);
    }

    /// <summary>The domain <paramref name="direction"/> translates from.</summary>
    public static string SourceDomain(IImageTranslator model, TranslationDirection direction) =>
        direction == TranslationDirection.AtoB ? model.Config.DomainA : model.Config.DomainB;
}
