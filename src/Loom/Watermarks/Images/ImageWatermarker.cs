using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Watermarks.Images;

/// <summary>
/// Puts the invisible watermark of <see cref="ImageWatermarkOptions.Key"/> on images: in the orthonormal 2-D DCT of each
/// image's luminance, the projection of the key's carrying coefficients on each bit's direction is moved to the nearest
/// point of a dithered lattice (step <see cref="ImageWatermarkOptions.Strength"/>) whose parity is that payload bit
/// (spread-transform dither modulation), and the change is added to every colour channel. Clipping to [0,1] disturbs
/// the projections, so the embedding is repeated on the clipped image (<see cref="ImageWatermarkOptions.Iterations"/>).
/// </summary>
public sealed class ImageWatermarker
{
    private readonly ImageWatermarkOptions _options;

    public ImageWatermarker(ImageWatermarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <summary>
    /// The marked copy of <paramref name="images"/> ([N,C,H,W] or [C,H,W], C = 1, 3 or 4, H and W ≥ 16, float in [0,1]
    /// — values outside are clipped — or uint8), in the input's float dtype (float32 for uint8) and on its device.
    /// Unchanged (a copy) when the options are not <see cref="ImageWatermarkOptions.Enabled"/>.
    /// </summary>
    public Tensor Embed(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (!_options.Enabled)
            return images.clone();
        var planes = ImagePlanes.From(images, "images");
        var pattern = WatermarkPattern.For(_options.Key, _options.PayloadBits, planes.Height, planes.Width);
        Parallel.For(0, planes.Count, n => EmbedOne(planes, n, pattern));
        var dtype = images.is_floating_point() ? images.dtype : ScalarType.Float32;
        var marked = planes.ToTensor(dtype, images.device);
        if (images.dim() == 3)
        {
            using (marked)
                return marked.squeeze(0);
        }
        return marked;
    }

    private void EmbedOne(ImagePlanes planes, int n, WatermarkPattern pattern)
    {
        int h = planes.Height, w = planes.Width;
        double step = _options.Strength;
        for (int pass = 0; pass < _options.Iterations; pass++)
        {
            var dct = Dct2D.Forward(planes.Luminance(n), h, w);
            var projections = pattern.Project(dct);
            var change = new double[h * w];
            double largest = 0;
            for (int j = 0; j < projections.Length; j++)
            {
                double move = Lattice.Nearest(projections[j], pattern.Payload[j], pattern.Dither[j], step) - projections[j];
                largest = Math.Max(largest, Math.Abs(move));
                for (int m = 0; m < pattern.Coefficients.Length; m++)
                    change[pattern.Coefficients[m]] += move * pattern.Directions[j][m];
            }
            if (largest < step * 1e-3)
                break;
            planes.AddToColour(n, Dct2D.Inverse(change, h, w));
        }
    }
}
