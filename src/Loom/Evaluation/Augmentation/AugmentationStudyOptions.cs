using System.Globalization;
using Loom.Core;

namespace Loom.Evaluation.Augmentation;

/// <summary>
/// What <see cref="AugmentationStudy"/> compares: a classifier trained on a small labelled subset of Fashion-MNIST, alone
/// and with class-conditional synthetic images from <see cref="Generator"/> added at each of <see cref="Ratios"/>, for
/// <see cref="Seeds"/> seeds. Every ratio of a seed trains the same number of steps on the same real subset and is tested on
/// the same test images.
/// </summary>
public sealed class AugmentationStudyOptions
{
    /// <summary>The checkpoint folder of a class-conditional image generator (CVAE, cGAN, class-conditional diffusion).</summary>
    public string Generator { get; init; } = "";

    /// <summary>Labelled real images per class in the training subset.</summary>
    public int PerClass { get; init; } = 100;

    /// <summary>Synthetic images per real image, one classifier per ratio and seed (0 = real images only, the baseline).</summary>
    public IReadOnlyList<double> Ratios { get; init; } = [0, 0.5, 1, 2];

    /// <summary>How many seeds: each picks its own real subset, synthetic images and classifier initialisation.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>The first seed; the others follow it (Seed, Seed + 1, …).</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Passes over the real subset that set the classifier's budget: every ratio trains Epochs × (real images / batch size)
    /// steps, so added synthetic images change what the classifier sees, not how long it trains.
    /// </summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Peak AdamW learning rate of the classifier.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Images per classifier step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Test images to measure accuracy on (the first N of the 10,000; 0 = all).</summary>
    public int TestSize { get; init; }

    /// <summary>Latent noise scale of a VAE or GAN generator (<see cref="Models.SampleRequest.Temperature"/>); diffusion takes
    /// only 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Folder with the four Fashion-MNIST files; null searches the usual places.</summary>
    public string? DataFolder { get; init; }

    /// <summary>A copy to change with <c>with</c>-style init.</summary>
    public AugmentationStudyOptions Clone() => (AugmentationStudyOptions)MemberwiseClone();

    /// <summary>Throws a <see cref="LoomUsageException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Generator))
            throw LoomUsageException.ForOption(nameof(Generator), "give the checkpoint of a class-conditional image generator");
        if (PerClass < 1) throw LoomUsageException.ForOption(nameof(PerClass), $"must be at least 1, got {PerClass}");
        if (Ratios is null || Ratios.Count == 0) throw LoomUsageException.ForOption(nameof(Ratios), "give at least one ratio, e.g. 0,1");
        foreach (var ratio in Ratios)
            if (!double.IsFinite(ratio) || ratio < 0 || ratio > 100)
                throw LoomUsageException.ForOption(nameof(Ratios),
                    $"each ratio must lie in 0..100 synthetic images per real image, got {ratio}");
        if (Ratios.Distinct().Count() != Ratios.Count) throw LoomUsageException.ForOption(nameof(Ratios), "a ratio is listed twice");
        if (Seeds < 1) throw LoomUsageException.ForOption(nameof(Seeds), $"must be at least 1, got {Seeds}");
        if (Epochs < 1) throw LoomUsageException.ForOption(nameof(Epochs), $"must be at least 1, got {Epochs}");
        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
            throw LoomUsageException.ForOption(nameof(LearningRate), $"must be positive, got {LearningRate}");
        if (BatchSize < 1) throw LoomUsageException.ForOption(nameof(BatchSize), $"must be at least 1, got {BatchSize}");
        if (BatchSize > PerClass * (long)AugmentationStudy.ClassCount)
            throw LoomUsageException.ForOption(nameof(BatchSize),
                $"{BatchSize} is more than the {PerClass * AugmentationStudy.ClassCount} real images of the subset (PerClass × 10)");
        if (TestSize < 0) throw LoomUsageException.ForOption(nameof(TestSize), $"must be at least 0 (0 = all), got {TestSize}");
        if (!double.IsFinite(Temperature) || Temperature <= 0)
            throw LoomUsageException.ForOption(nameof(Temperature), $"must be positive, got {Temperature}");
    }

    /// <summary>Parses a comma-separated list of ratios such as <c>0,0.5,1,2</c> (invariant culture).</summary>
    public static IReadOnlyList<double> ParseRatios(string text)
    {
        var ratios = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double ratio))
                throw LoomUsageException.ForOption(nameof(Ratios), $"'{part}' is not a number; give ratios like 0,0.5,1,2");
            ratios.Add(ratio);
        }
        return ratios;
    }
}
