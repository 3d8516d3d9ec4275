using Loom.Core;
using Loom.IO.Images;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Watermarks.Images;

/// <summary>
/// The everyday changes an image meets after it leaves Loom, for measuring how well the watermark survives them. Each takes
/// images [N,C,H,W] in [0,1] and returns float32 images of the same shape, rounded to 8 bits as a saved file would be.
/// </summary>
public static class ImageDistortions
{
    /// <summary>A JPEG round trip at <paramref name="quality"/> (1..100) through SkiaSharp's encoder.</summary>
    public static Tensor Jpeg(Tensor images, int quality)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        return Map(images, bitmap =>
        {
            using var encoded = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality)
                ?? throw new LoomException("JPEG encoding failed");
            return Png.DecodeImage(encoded.ToArray(), "jpeg", "JPEG");
        });
    }

    /// <summary>Scales each image by <paramref name="scale"/> (e.g. 0.5) and back to its size, bilinear both ways
    /// (SkiaSharp <see cref="SKFilterMode.Linear"/>, no mipmaps: a 2× reduction averages 2×2 blocks).</summary>
    public static Tensor Rescale(Tensor images, double scale)
    {
        if (!(scale > 0 && scale <= 4))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "must be in (0, 4]");
        return Map(images, bitmap =>
        {
            int w = Math.Max(1, (int)Math.Round(bitmap.Width * scale)), h = Math.Max(1, (int)Math.Round(bitmap.Height * scale));
            using var small = Resize(bitmap, w, h);
            using var back = Resize(small, bitmap.Width, bitmap.Height);
            return Decode(back);
        });
    }

    /// <summary>Cuts the same number of pixels off opposite sides so that about <paramref name="keptArea"/> of the area is
    /// left (<see cref="CropSize"/>) and resizes the centred window back to the image's size, bilinear.</summary>
    public static Tensor CentreCrop(Tensor images, double keptArea)
    {
        if (!(keptArea > 0 && keptArea <= 1))
            throw new ArgumentOutOfRangeException(nameof(keptArea), keptArea, "must be in (0, 1]");
        return Map(images, bitmap =>
        {
            var (w, h) = CropSize(bitmap.Width, bitmap.Height, keptArea);
            using var cropped = new SKBitmap(new SKImageInfo(w, h, bitmap.ColorType, bitmap.AlphaType));
            if (!bitmap.ExtractSubset(cropped, SKRectI.Create((bitmap.Width - w) / 2, (bitmap.Height - h) / 2, w, h)))
                throw new LoomException("crop failed");
            using var back = Resize(cropped, bitmap.Width, bitmap.Height);
            return Decode(back);
        });
    }

    /// <summary>The window <see cref="CentreCrop"/> keeps of a <paramref name="width"/>×<paramref name="height"/> image: each
    /// side less twice round(side·(1 − √keptArea)/2), so the window stays centred (28 px and 0.9 keep 26 px).</summary>
    public static (int Width, int Height) CropSize(int width, int height, double keptArea)
    {
        int Kept(int side) => Math.Max(1, side - 2 * (int)Math.Round(side * (1 - Math.Sqrt(keptArea)) / 2, MidpointRounding.AwayFromZero));
        return (Kept(width), Kept(height));
    }

    /// <summary>Adds independent Gaussian noise of standard deviation <paramref name="sigma"/> (intensity units) to every
    /// value, seeded, then clips to [0,1] and rounds to 8 bits.</summary>
    public static Tensor GaussianNoise(Tensor images, double sigma, long seed)
    {
        if (!(sigma >= 0))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "must be >= 0");
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)seed);
        var noisy = images.to(ScalarType.Float32).cpu() + randn(images.shape, ScalarType.Float32, generator: generator) * sigma;
        return Quantise(noisy).MoveToOuterDisposeScope();
    }

    /// <summary>Rounds [0,1] intensities to 8 bits, as writing a PNG does.</summary>
    public static Tensor Quantise(Tensor images)
    {
        using var scope = NewDisposeScope();
        return images.to(ScalarType.Float32).clamp(0, 1).mul(255).round().div(255).MoveToOuterDisposeScope();
    }

    private static SKBitmap Resize(SKBitmap bitmap, int width, int height) =>
        bitmap.Resize(new SKImageInfo(width, height, bitmap.ColorType, bitmap.AlphaType),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)) ?? throw new LoomException("resize failed");

    private static Tensor Decode(SKBitmap bitmap)
    {
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100) ?? throw new LoomException("PNG encoding failed");
        return Png.DecodeImage(encoded.ToArray(), "image", "PNG");
    }

    /// <summary>Applies <paramref name="change"/> to each image as a bitmap; the result keeps the input's channel count.</summary>
    private static Tensor Map(Tensor images, Func<SKBitmap, Tensor> change)
    {
        if (images.dim() != 4)
            throw new LoomDataException($"images: expected [N,C,H,W], got [{string.Join(",", images.shape)}]");
        using var scope = NewDisposeScope();
        long channels = images.shape[1];
        var results = new List<Tensor>();
        for (long i = 0; i < images.shape[0]; i++)
        {
            using var bitmap = Png.ToBitmap(images[i], "image");
            var bytes = change(bitmap);
            // A grey JPEG may decode as RGB and an RGB one as grey: bring it back to the input's channels.
            if (bytes.shape[0] != channels)
                bytes = channels == 1 ? bytes.narrow(0, 0, 1) : bytes.narrow(0, 0, 1).expand(channels, -1, -1);
            results.Add(bytes.to(ScalarType.Float32).div(255f));
        }
        return stack(results).MoveToOuterDisposeScope();
    }
}
