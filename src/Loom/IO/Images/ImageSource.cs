using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.IO.Images;

/// <summary>
/// Input images for a model, in its data space (values in [0, 1]): a PNG file (greyscale or colour) or
/// <c>fashion-mnist:N</c> for test image N, converted to the model's channels (it must have the model's size); for a
/// batch, <c>fashion-mnist-test:CLASS</c> or a folder of PNGs. Errors name the option the source came from (<c>option</c>, a
/// library option name such as Image, From or Images).
/// </summary>
public static class ImageSource
{
    /// <summary>The prefix of one Fashion-MNIST test image by index: <c>fashion-mnist:N</c>.</summary>
    public static string TestImagePrefix => FashionMnist.Name + ":";

    /// <summary>The prefix of a Fashion-MNIST test class in <see cref="ReadBatch"/>: <c>fashion-mnist-test:CLASS</c>.</summary>
    public const string TestClassPrefix = "fashion-mnist-test:";

    /// <summary>
    /// One image for a model whose samples have <paramref name="shape"/>; <paramref name="images"/> false (a model of
    /// vectors) is refused. Returns [1, C, H, W].
    /// </summary>
    public static Tensor Read(string source, long[] shape, bool images, string option = "Image")
    {
        if (!images || shape.Length != 3)
            throw LoomUsageException.ForOption(option, $"this model generates vectors of shape [{string.Join(", ", shape)}], not images");
        return Read(source, shape, option);
    }

    /// <summary>One image for an image model whose images are [C, H, W] = <paramref name="shape"/>. Returns [1, C, H, W].</summary>
    public static Tensor Read(string source, long[] shape, string option = "Image")
    {
        using var scope = torch.NewDisposeScope();
        Tensor image;
        if (source.StartsWith(TestImagePrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(source[TestImagePrefix.Length..], out int index) || index < 0)
                throw LoomUsageException.ForOption(option, $"'{source}' should be fashion-mnist:N with N a test-image index");
            using var test = FashionMnist.Load(FashionMnistSplit.Test);
            if (index >= test.Count)
                throw LoomUsageException.ForOption(option,
                    $"the Fashion-MNIST test split has {test.Count} images; {index} is out of range");
            image = test.Images[index];
        }
        else
        {
            image = Png.Read(source);
            if (image.shape[0] == 4) image = image[..3];
        }
        if (image.shape[0] != shape[0])
            image = shape[0] == 1 ? image.mean([0], keepdim: true) : image.expand(shape[0], -1, -1);
        if (image.shape[1] != shape[1] || image.shape[2] != shape[2])
            throw LoomUsageException.ForOption(option,
                $"{source} is {image.shape[2]}×{image.shape[1]}; this model makes {shape[2]}×{shape[1]} images");
        return image.unsqueeze(0).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The first <paramref name="count"/> test images of a Fashion-MNIST class (<c>fashion-mnist-test:CLASS</c>, a class
    /// name or index), or of a folder's PNGs sorted by name, as [n, C, H, W] for images of <paramref name="shape"/>.
    /// </summary>
    public static Tensor ReadBatch(string source, int count, long[] shape, string option = "Images")
    {
        if (source.StartsWith(TestClassPrefix, StringComparison.OrdinalIgnoreCase))
        {
            int label = FashionMnistClasses.ParseOne(source[TestClassPrefix.Length..], option);
            using var scope = torch.NewDisposeScope();
            using var test = FashionMnist.Load(FashionMnistSplit.Test);
            var indices = torch.nonzero(test.Labels.eq(label)).flatten();
            var chosen = indices.narrow(0, 0, Math.Min(count, indices.shape[0]));
            var picked = test.Images.index_select(0, chosen);
            if (!picked.shape.Skip(1).SequenceEqual(shape))
                throw LoomUsageException.ForOption(option,
                    $"Fashion-MNIST images are 28×28; this model takes [{string.Join(", ", shape)}] images");
            return picked.MoveToOuterDisposeScope();
        }
        if (!Directory.Exists(source))
            throw LoomUsageException.ForOption(option, $"'{source}' is neither {TestClassPrefix}CLASS nor a folder of PNG images");
        var files = Directory.GetFiles(source, "*.png").Order(StringComparer.Ordinal).Take(count).ToArray();
        if (files.Length == 0)
            throw LoomDataException.ForOption(option, $"{source} holds no .png images");
        using var batchScope = torch.NewDisposeScope();
        return torch.cat(files.Select(f => Read(f, shape, option)).ToArray(), 0).MoveToOuterDisposeScope();
    }
}
