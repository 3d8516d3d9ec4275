using Loom.Core;
using Loom.IO.Images;
using Loom.Models.Diffusion;
using Loom.Safety.Images;
using Loom.Watermarks.Images;
using TorchSharp;

namespace Loom.Models;

/// <summary>
/// Images from any image family (diffusion, GAN, VAE, VQ-VAE; <see cref="IImageGenerator"/>) as PNG files: one call
/// samples the model on a thread of its own, puts the request's invisible watermark on each image
/// (<see cref="ImageGenerationRequest.Watermark"/>, on by default) and encodes it, with the class it was generated for
/// and, when the request carries a near-copy check, its finding.
/// </summary>
public static class GeneratedImages
{
    /// <summary>The size of <paramref name="model"/>'s images; a usage error when it makes none (text, vectors).</summary>
    public static ImageShape ShapeOf(IGenerativeModel model) =>
        model.GetService<IImageGenerator>()?.ImageShape
        ?? throw new LoomUsageException($"a '{model.Kind}' model here does not generate images");

    /// <summary>True when <paramref name="model"/> generates images.</summary>
    public static bool Makes(IGenerativeModel model) => model.GetService<IImageGenerator>()?.ImageShape is not null;

    /// <summary>
    /// The sampling request behind <paramref name="request"/>: its count, seed, class and temperature, and for a
    /// diffusion model the <see cref="DiffusionRequest"/> of its settings (a class-conditional model without a class
    /// spreads the images over its classes). Throws usage errors for what the model cannot do. Any family takes it
    /// (a vector model's samples are then points, not images).
    /// </summary>
    public static SampleRequest ToSampleRequest(IGenerativeModel model, ImageGenerationRequest request)
    {
        if (request.Count < 1)
            throw LoomUsageException.ForOption("Count", $"must be at least 1, got {request.Count}");
        if (request.Class is { } c)
            ModelClasses.Parse(model, c.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var sampling = new SampleRequest
        {
            Count = request.Count, Seed = request.Seed, Class = request.Class, Temperature = request.Temperature,
        };
        if (request.Diffusion is not { } settings)
            return sampling;
        var diffusion = model.GetService<IDiffusionGenerator>() ?? throw LoomUsageException.ForOption("Sampler",
            $"a '{model.Kind}' model has no diffusion sampler; sampler, steps and guidance are for diffusion models");
        int classes = diffusion.Config.NumClasses;
        IReadOnlyList<int>? labels = request.Class is { } label ? Enumerable.Repeat(label, request.Count).ToArray()
            : classes > 0 ? Enumerable.Range(0, request.Count).Select(i => i % classes).ToArray() : null;
        return sampling.With(settings.ToRequest(diffusion, request.Count, request.Seed, labels));
    }

    /// <summary>
    /// Generates the images on a thread of its own (<see cref="ModelServices.SampleAsync"/>), with progress and
    /// cancellation where the model offers them (diffusion steps). One call at a time per model.
    /// </summary>
    public static Task<IReadOnlyList<GeneratedImage>> GenerateAsync(IGenerativeModel model, ImageGenerationRequest request,
        IProgress<SampleProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        ShapeOf(model);
        request.Watermark.Validate();
        var sampling = ToSampleRequest(model, request);
        return ModelThread.RunAsync(() =>
        {
            using var scope = torch.NewDisposeScope();
            if (model.SampleNow(sampling, progress, cancellation) is not TensorSamples samples)
                throw new LoomException($"a '{model.Kind}' model returned no image tensor");
            var safeguarded = SafeguardedSamples.Apply(samples, request.Memorization, request.Watermark);
            var encoded = Encode((TensorSamples)safeguarded.Samples);
            if (safeguarded.Memorization is not { } review)
                return encoded;
            return encoded.Select((image, i) => review.Flags.FirstOrDefault(f => f.Image == i) is { } flag
                ? image with { Memorization = flag, Withheld = review.Withheld.Contains(i) } : image).ToList();
        }, $"loom images {model.Kind}", cancellation);
    }

    /// <summary>Each image of <paramref name="samples"/> ([n, C, H, W] in [0, 1]) as a PNG with its class.</summary>
    public static IReadOnlyList<GeneratedImage> Encode(TensorSamples samples)
    {
        var values = samples.Values;
        if (values.dim() != 4)
            throw new LoomDataException(
                $"samples: images must be [n, C, H, W], got [{string.Join(", ", values.shape)}] (the model makes vectors)");
        long[]? labels = samples.Labels is { } l ? l.to(torch.ScalarType.Int64).cpu().data<long>().ToArray() : null;
        var images = new List<GeneratedImage>((int)values.shape[0]);
        for (long i = 0; i < values.shape[0]; i++)
        {
            using var image = values[i];
            int? label = labels is null ? null : (int)labels[i];
            string? name = label is { } k ? samples.ClassNames is { } names && k < names.Count ? names[k]
                : k.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            images.Add(new GeneratedImage(Png.Encode(image), label, name));
        }
        return images;
    }
}
