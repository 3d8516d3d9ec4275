using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Suite;
using Loom.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Augmentation;

/// <summary>
/// Labelled Fashion-MNIST-shaped images from a class-conditional generator: the classes cycle evenly (the generator's own
/// spreading of a request without a class), drawn in chunks with seeds derived from the study's seed, and the labels put
/// into Fashion-MNIST's numbering by class name.
/// </summary>
internal sealed class SyntheticImageSource
{
    private const int ChunkImages = 250;
    private readonly IGenerativeModel model;
    private readonly double temperature;

    private SyntheticImageSource(IGenerativeModel model, double temperature)
    {
        this.model = model;
        this.temperature = temperature;
    }

    /// <summary>
    /// Checks that <paramref name="model"/> can augment Fashion-MNIST: class-conditional over the ten classes and making
    /// [1, 28, 28] images. Throws a <see cref="LoomUsageException"/> about <c>Generator</c> otherwise.
    /// </summary>
    public static SyntheticImageSource For(IGenerativeModel model, double temperature)
    {
        int classes = model.GetService<IConditionalModel>()?.NumClasses ?? 0;
        if (classes == 0)
            throw LoomUsageException.ForOption(nameof(AugmentationStudyOptions.Generator),
                $"a '{model.Kind}' model here is not class-conditional; the study needs labelled synthetic images "
                + "(train one with cvae, cgan or a conditional diffusion model)");
        var shape = model.GetService<IImageGenerator>()?.ImageShape;
        if (shape is not { Channels: 1, Height: 28, Width: 28 })
        {
            string makes = shape is null ? "no images" : $"[{shape.Channels}, {shape.Height}, {shape.Width}] images";
            throw LoomUsageException.ForOption(nameof(AugmentationStudyOptions.Generator),
                $"a '{model.Kind}' model here makes {makes}; Fashion-MNIST's are [1, 28, 28]");
        }
        if (classes != AugmentationStudy.ClassCount)
            throw LoomUsageException.ForOption(nameof(AugmentationStudyOptions.Generator),
                $"a '{model.Kind}' model here conditions on {classes} classes; the study needs all {AugmentationStudy.ClassCount} "
                + "Fashion-MNIST classes");
        return new SyntheticImageSource(model, temperature);
    }

    /// <summary>
    /// <paramref name="count"/> images [count, 1, 28, 28] in [0, 1] with int64 labels in 0..9; the first k of them are
    /// spread over the classes as evenly as k allows.
    /// </summary>
    public (Tensor Images, Tensor Labels) Generate(int count, long seed, CancellationToken cancellation)
    {
        var images = new List<Tensor>();
        var labels = new List<Tensor>();
        try
        {
            for (int start = 0, chunk = 0; start < count; start += ChunkImages, chunk++)
            {
                cancellation.ThrowIfCancellationRequested();
                int n = Math.Min(ChunkImages, count - start);
                var request = GeneratedImages.ToSampleRequest(model, new ImageGenerationRequest
                {
                    Count = n, Seed = Seeding.Derive(seed, $"augment:synthetic:{chunk}"), Temperature = temperature,
                });
                using var scope = torch.NewDisposeScope();
                if (model.SampleNow(request, null, cancellation) is not TensorSamples { Labels: { } raw } samples)
                    throw new LoomException($"a '{model.Kind}' model returned no labelled image tensor");
                var mapped = ReferenceLabels.Map(raw.cpu(), samples.ClassNames, FashionMnist.ClassNames, out var problem)
                    ?? throw LoomUsageException.ForOption(nameof(AugmentationStudyOptions.Generator),
                        $"its classes do not name Fashion-MNIST's: {problem}");
                images.Add(samples.Values.to(ScalarType.Float32, CPU).reshape(-1, 1, 28, 28).clamp(0, 1).MoveToOuterDisposeScope());
                labels.Add(mapped.MoveToOuterDisposeScope());
            }
            if (images.Count == 0)
                return (torch.zeros(0, 1, 28, 28), torch.zeros(0, ScalarType.Int64));
            return (torch.cat(images, 0), torch.cat(labels, 0));
        }
        finally
        {
            foreach (var t in images.Concat(labels)) t.Dispose();
        }
    }
}
