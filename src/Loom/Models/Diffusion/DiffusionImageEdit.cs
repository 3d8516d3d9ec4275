using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>
/// The outcome of an image edit: the input as a person should see it beside the results (for inpainting, the region
/// being regenerated greyed out) and the edited images, all [n, C, H, W] in [0, 1] on the CPU.
/// </summary>
public sealed record DiffusionImageEditResult(Tensor Input, Tensor Results)
{
    /// <summary>The input followed by the results, as one batch for a sample grid.</summary>
    public Tensor InputThenResults() => torch.cat([Input, Results], 0);
}

/// <summary>
/// Diffusion edits of an input image with any sampler: inpainting (<see cref="DiffusionRequest.Mask"/>, optionally with
/// RePaint resampling) and image-to-image (<see cref="DiffusionRequest.Strength"/>).
/// </summary>
public static class DiffusionImageEdit
{
    /// <summary>The grey that stands for the masked region in <see cref="DiffusionImageEditResult.Input"/>.</summary>
    public const float MaskedGrey = 0.5f;

    /// <summary>
    /// Generates <see cref="DiffusionRequest.Count"/> edits of <see cref="DiffusionRequest.Image"/> (a usage error on
    /// <c>Image</c> when it is missing): an inpainting when the request has a mask, an image-to-image otherwise.
    /// </summary>
    public static DiffusionImageEditResult Run(IDiffusionGenerator model, DiffusionRequest request)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        var image = request.Image ?? throw LoomUsageException.ForOption("Image", "an edit needs the input image");
        var results = model.Generate(request);
        var input = image.cpu();
        var keep = request.Mask?.cpu();
        var shown = keep is null ? input : input * keep + MaskedGrey * (1 - keep);
        return new DiffusionImageEditResult(shown, results.cpu());
    }

    /// <summary>A usage error on <c>Out</c> unless <paramref name="path"/> names the PNG that <see cref="WriteGrid"/> writes
    /// (for a caller that checks before it loads a model).</summary>
    public static void CheckOutput(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            throw LoomUsageException.ForOption("Out", $"writes a PNG grid; '{path}' does not end in .png");
    }

    /// <summary>
    /// Reads the input <paramref name="image"/> (a PNG of the model's size, or <c>fashion-mnist:N</c>) and, for an
    /// inpainting, the <paramref name="mask"/> (a PNG, white = regenerate, or a region: <see cref="InpaintMask.Regions"/>),
    /// edits as <see cref="Run"/> and writes a PNG grid at <paramref name="path"/> whose first tile is the input: the call
    /// for a caller that deals in files (<c>loom inpaint</c>, <c>loom img2img</c>). No tensor outlives the call.
    /// </summary>
    public static void WriteGrid(IDiffusionGenerator model, DiffusionRequest request, string image, string? mask, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(image);
        CheckOutput(path);
        using var scope = torch.NewDisposeScope();
        var shape = model.Config.SampleShape;
        var edit = request with { Image = IO.Images.ImageSource.Read(image, shape, model.Config.Images) };
        if (mask is not null)
        {
            if (shape.Length != 3)
                throw LoomUsageException.ForOption("Mask", "a model of vectors has no pixels to mask");
            edit = edit with { Mask = InpaintMask.Read(mask, shape[1], shape[2]) };
        }
        IO.Images.SampleGrid.Write(path, Run(model, edit).InputThenResults());
    }
}
