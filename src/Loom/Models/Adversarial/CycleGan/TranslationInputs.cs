using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// The images a CycleGAN's <see cref="IGenerativeModel.Sample"/> translates, carried as a request option
/// (<c>request.With(new TranslationInputs(images))</c>): [n, C, H, W] in [0, 1]. The request's count of them, chosen by
/// its seed, are translated in <paramref name="Direction"/>. The caller owns the tensor.
/// </summary>
public sealed record TranslationInputs(Tensor Images, TranslationDirection Direction = TranslationDirection.AtoB);

/// <summary>Held-out images for a CycleGAN trained on Fashion-MNIST classes.</summary>
public static class TranslationTestImages
{
    /// <summary>
    /// The Fashion-MNIST test split's images of domain A of <paramref name="config"/> (what <c>loom sample</c>
    /// translates), or null for a model trained on folders of images, which has no held-out images of its own.
    /// </summary>
    public static TranslationInputs? DomainA(CycleGanConfig config)
    {
        if (config.DataName != FashionMnist.Name || config.DomainAClass is not { } domainA)
            return null;
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        return new TranslationInputs(test.Images.index_select(0, torch.nonzero(test.Labels.eq(domainA)).flatten()));
    }
}
