using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// The unpaired image-to-image capability a caller asks a model for (<c>model.GetService&lt;IImageTranslator&gt;()</c>):
/// the two domains and their image shape, translation either way, and the round trip.
/// </summary>
public interface IImageTranslator
{
    CycleGanConfig Config { get; }

    /// <summary>The domain <paramref name="direction"/> translates into.</summary>
    string TargetDomain(TranslationDirection direction);

    /// <summary>Translates images [n, C, H, W] in [0, 1]; the result is in [0, 1] on the CPU.</summary>
    Tensor Translate(Tensor images, TranslationDirection direction);

    /// <summary>Translates and translates back: the translated images and their reconstructions.</summary>
    (Tensor Translated, Tensor Reconstructed) Cycle(Tensor images, TranslationDirection direction);
}
