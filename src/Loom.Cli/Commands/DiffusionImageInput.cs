using Loom.Core;
using Loom.Data;
using Loom.IO.Images;
using Loom.Models.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands;

/// <summary>Reads the input image and mask of <c>loom inpaint</c> / <c>loom img2img</c> in the model's data space.</summary>
public static class DiffusionImageInput
{
    /// <summary>
    /// A PNG file (greyscale or colour, converted to the model's channels; must have the model's size), or
    /// <c>fashion-mnist:N</c> for test image N. Returns [1, C, H, W] in [0, 1].
    /// </summary>
    public static Tensor ReadImage(string spec, IDiffusionGenerator model) =>
        ReadImage(spec, model.Config.SampleShape, model.Config.Images);

    /// <summary>As <see cref="ReadImage(string, IDiffusionGenerator)"/> for any model whose samples have
    /// <paramref name="shape"/>.</summary>
    public static Tensor ReadImage(string spec, long[] shape, bool images)
    {
        if (!images || shape.Length != 3)
            throw new LoomUsageException($"--image: this model generates vectors of shape [{string.Join(", ", shape)}], not images");
        return ReadImage(spec, shape);
    }

    /// <summary>As <see cref="ReadImage(string, IDiffusionGenerator)"/> for any image model whose images are [C, H, W] =
    /// <paramref name="shape"/>.</summary>
    public static Tensor ReadImage(string spec, long[] shape)
    {
        using var scope = torch.NewDisposeScope();
        Tensor image;
        if (spec.StartsWith(FashionMnist.Name + ":", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(spec[(FashionMnist.Name.Length + 1)..], out int index) || index < 0)
                throw new LoomUsageException($"--image: '{spec}' should be fashion-mnist:N with N a test-image index");
            using var test = FashionMnist.Load(FashionMnistSplit.Test);
            if (index >= test.Count) throw new LoomUsageException(
                $"--image: the Fashion-MNIST test split has {test.Count} images; {index} is out of range");
            image = test.Images[index];
        }
        else
        {
            image = Png.Read(spec);
            if (image.shape[0] == 4) image = image[..3];
            if (image.shape[0] != shape[0])
                image = shape[0] == 1 ? image.mean([0], keepdim: true) : image.expand(shape[0], -1, -1);
        }
        if (image.shape[1] != shape[1] || image.shape[2] != shape[2])
            throw new LoomUsageException(
                $"--image: {spec} is {image.shape[2]}×{image.shape[1]}; this model makes {shape[2]}×{shape[1]} images");
        return image.unsqueeze(0).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The inpainting mask as "keep" weights [1, 1, H, W] (1 keeps the input pixel, 0 regenerates it). From a PNG
    /// where white marks pixels to regenerate (as in diffusers), or a region name: top, bottom, left, right, center.
    /// </summary>
    public static Tensor ReadMask(string spec, IDiffusionGenerator model)
    {
        var shape = model.Config.SampleShape;
        long h = shape[1], w = shape[2];
        using var scope = torch.NewDisposeScope();
        var regenerate = torch.zeros(h, w);
        switch (spec.Trim().ToLowerInvariant())
        {
            case "top": regenerate[..(int)(h / 2), ..] = 1; break;
            case "bottom": regenerate[(int)(h / 2).., ..] = 1; break;
            case "left": regenerate[.., ..(int)(w / 2)] = 1; break;
            case "right": regenerate[.., (int)(w / 2)..] = 1; break;
            case "center": regenerate[(int)(h / 4)..(int)(3 * h / 4), (int)(w / 4)..(int)(3 * w / 4)] = 1; break;
            default:
                var png = Png.Read(spec);
                if (png.shape[1] != h || png.shape[2] != w)
                    throw new LoomUsageException($"--mask: {spec} is {png.shape[2]}×{png.shape[1]}; the image is {w}×{h}");
                regenerate = (png[..(int)Math.Min(3, png.shape[0])].mean([0]) >= 0.5f).to(ScalarType.Float32);
                break;
        }
        return (1 - regenerate).reshape(1, 1, h, w).MoveToOuterDisposeScope();
    }
}
