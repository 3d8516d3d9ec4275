using Loom.Data;
using Loom.Models.Adversarial.CycleGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial.CycleGan;

/// <summary><see cref="ImageTranslations"/>: target-class labels for <c>loom eval</c> and the original | translated | back strip.</summary>
public sealed class ImageTranslationsTests
{
    /// <summary>A→B inverts the image, B→A halves it; the round trip applies both.</summary>
    private sealed class ToyTranslator(CycleGanConfig config) : IImageTranslator
    {
        public CycleGanConfig Config { get; } = config;

        public string TargetDomain(TranslationDirection direction) =>
            direction == TranslationDirection.AtoB ? Config.DomainB : Config.DomainA;

        public Tensor Translate(Tensor images, TranslationDirection direction) =>
            direction == TranslationDirection.AtoB ? 1 - images : images / 2;

        public (Tensor Translated, Tensor Reconstructed) Cycle(Tensor images, TranslationDirection direction)
        {
            var there = Translate(images, direction);
            var back = direction == TranslationDirection.AtoB ? TranslationDirection.BtoA : TranslationDirection.AtoB;
            return (there, Translate(there, back));
        }
    }

    private static readonly CycleGanConfig Shoes = new()
    {
        Height = 4, Width = 4, DomainA = "sneaker", DomainB = "ankle-boot", DomainAClass = 7, DomainBClass = 9,
    };

    [Fact]
    public void Translations_carry_the_target_domains_class_as_labels()
    {
        using var scope = torch.NewDisposeScope();
        var images = torch.rand(3, 1, 4, 4, generator: torch.manual_seed(2));
        var model = new ToyTranslator(Shoes);
        var toBoots = ImageTranslations.Translate(model, images, TranslationDirection.AtoB);
        Assert.True(toBoots.Values.allclose(1 - images));
        Assert.Equal([9L, 9, 9], toBoots.Labels!.data<long>().ToArray());
        Assert.Equal(FashionMnist.ClassNames, toBoots.ClassNames);
        var toSneakers = ImageTranslations.Translate(model, images, TranslationDirection.BtoA);
        Assert.Equal([7L, 7, 7], toSneakers.Labels!.data<long>().ToArray());
        Assert.Equal("sneaker", ImageTranslations.SourceDomain(model, TranslationDirection.AtoB));
        Assert.Equal("ankle-boot", ImageTranslations.SourceDomain(model, TranslationDirection.BtoA));

        var unlabelled = ImageTranslations.Translate(new ToyTranslator(new CycleGanConfig { Height = 4, Width = 4 }), images,
            TranslationDirection.AtoB);
        Assert.Null(unlabelled.Labels);
        Assert.Null(unlabelled.ClassNames);
    }

    [Fact]
    public void The_cycle_strip_is_original_translated_reconstructed_per_image()
    {
        using var scope = torch.NewDisposeScope();
        var images = torch.rand(2, 1, 4, 4, generator: torch.manual_seed(3));
        var strip = ImageTranslations.CycleStrip(new ToyTranslator(Shoes), images, TranslationDirection.AtoB);
        Assert.Equal([6L, 1, 4, 4], strip.shape);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(strip[3 * i].allclose(images[i]));
            Assert.True(strip[3 * i + 1].allclose(1 - images[i]));
            Assert.True(strip[3 * i + 2].allclose((1 - images[i]) / 2));
        }
    }
}
