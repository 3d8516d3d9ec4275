using Loom.Core;
using Loom.IO;
using Loom.IO.Images;
using TorchSharp;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// What <see cref="ImageTranslationFile.Write"/> reads, translates and writes: one image (<see cref="Image"/>) or a batch
/// (<see cref="Images"/>, the first <see cref="Count"/>), in one <see cref="Direction"/>, optionally there and back
/// (<see cref="Cycle"/>).
/// </summary>
public sealed record ImageTranslationJob
{
    /// <summary>One image: a PNG of the model's size, or <c>fashion-mnist:N</c> (test image N). Exactly one of
    /// <see cref="Image"/> and <see cref="Images"/>.</summary>
    public string? Image { get; init; }
    /// <summary>A batch: <c>fashion-mnist-test:CLASS</c> (test images of a class, by index or name) or a folder of PNGs.</summary>
    public string? Images { get; init; }
    /// <summary>With <see cref="Images"/>: how many (the first ones).</summary>
    public int Count { get; init; } = 16;
    public TranslationDirection Direction { get; init; } = TranslationDirection.AtoB;
    /// <summary>Also translate back: a PNG with one row per image, original | translated | reconstructed.</summary>
    public bool Cycle { get; init; }

    /// <summary>Checks the job and the file it is to write (.png: the image or a grid; .safetensors: the translated
    /// images labelled with the target domain's class) before any model is loaded.</summary>
    public void Validate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        bool tensors = path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);
        if (!tensors && !path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw LoomUsageException.ForOption("Out", $"writes a .png or .safetensors file; '{path}' is neither");
        if ((Image is null) == (Images is null))
            throw LoomUsageException.ForOption(nameof(Image), "give exactly one image or one batch of images");
        if (Images is not null && Count < 1)
            throw LoomUsageException.ForOption(nameof(Count), $"must be at least 1, got {Count}");
        if (Cycle && tensors)
            throw LoomUsageException.ForOption(nameof(Cycle), "draws a PNG strip; write a .png");
    }
}

/// <summary>A translation from files to a file (<c>loom translate</c>): no tensor outlives the call.</summary>
public static class ImageTranslationFile
{
    /// <summary>Reads the job's images, translates them and writes <paramref name="path"/>; returns how many images were
    /// translated.</summary>
    public static int Write(IImageTranslator model, ImageTranslationJob job, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(job);
        job.Validate(path);
        using var scope = torch.NewDisposeScope();
        var input = job.Image is { } single
            ? ImageSource.Read(single, model.Config.ImageShape)
            : ImageSource.ReadBatch(job.Images!, job.Count, model.Config.ImageShape);
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            SampleFiles.Write(ImageTranslations.Translate(model, input, job.Direction), path);
        else if (job.Cycle)
            SampleGrid.Write(path, ImageTranslations.CycleStrip(model, input, job.Direction), columns: 3);
        else
            SampleFiles.WriteImages(ImageTranslations.Translate(model, input, job.Direction), path);
        return (int)input.shape[0];
    }
}
