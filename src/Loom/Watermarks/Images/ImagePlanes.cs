using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Watermarks.Images;

/// <summary>
/// A batch of images [N,C,H,W] as doubles, with the luminance the watermark lives in: the channel itself for grey, Rec. 601
/// luma (0.299 R + 0.587 G + 0.114 B) for RGB and RGBA (alpha is never touched). A change to luminance is made by adding
/// the same amount to every colour channel, since the luma weights sum to 1.
/// </summary>
internal sealed class ImagePlanes
{
    private readonly double[] _values;

    private ImagePlanes(double[] values, long[] shape)
    {
        _values = values;
        Count = (int)shape[0];
        Channels = (int)shape[1];
        Height = (int)shape[2];
        Width = (int)shape[3];
    }

    public int Count { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    private int Pixels => Height * Width;
    private int ColourChannels => Math.Min(Channels, 3);

    /// <summary>Reads [N,C,H,W] (or one image [C,H,W]) of floats in [0,1] or bytes; checks shape, size and NaN.</summary>
    public static ImagePlanes From(Tensor images, string name)
    {
        using var scope = NewDisposeScope();
        var batch = images.dim() == 3 ? images.unsqueeze(0) : images;
        if (batch.dim() != 4 || batch.shape[0] < 1 || batch.shape[1] is not (1 or 3 or 4))
            throw new LoomDataException(
                $"{name}: images must be [N,C,H,W] or [C,H,W] with C = 1, 3 or 4, got [{string.Join(",", images.shape)}]");
        if (batch.shape[2] < ImageWatermarkOptions.MinSide || batch.shape[3] < ImageWatermarkOptions.MinSide)
            throw new LoomDataException($"{name}: the image watermark needs images of at least {ImageWatermarkOptions.MinSide}×"
                + $"{ImageWatermarkOptions.MinSide} pixels, got {batch.shape[2]}×{batch.shape[3]}");
        Tensor values;
        if (batch.dtype == ScalarType.Byte)
            values = batch.to(ScalarType.Float64).div(255.0);
        else if (batch.is_floating_point())
            values = batch.to(ScalarType.Float64);
        else
            throw new LoomDataException($"{name}: images must be float (0..1) or uint8, got {batch.dtype}");
        values = values.cpu().contiguous();
        if (values.isnan().any().item<bool>())
            throw new LoomDataException($"{name}: images contain NaN");
        return new ImagePlanes(values.clamp(0, 1).data<double>().ToArray(), batch.shape);
    }

    /// <summary>The images as a tensor of <paramref name="dtype"/> [N,C,H,W] on <paramref name="device"/>.</summary>
    public Tensor ToTensor(ScalarType dtype, Device device)
    {
        using var scope = NewDisposeScope();
        return tensor(_values, [Count, Channels, Height, Width], ScalarType.Float64).to(dtype).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>Image <paramref name="n"/>'s luminance, H×W row-major.</summary>
    public double[] Luminance(int n)
    {
        var y = new double[Pixels];
        int start = n * Channels * Pixels;
        if (ColourChannels == 1)
        {
            Array.Copy(_values, start, y, 0, Pixels);
            return y;
        }
        for (int i = 0; i < Pixels; i++)
            y[i] = 0.299 * _values[start + i] + 0.587 * _values[start + Pixels + i] + 0.114 * _values[start + 2 * Pixels + i];
        return y;
    }

    /// <summary>Adds <paramref name="delta"/> (H×W) to every colour channel of image <paramref name="n"/>, clipping to [0,1].</summary>
    public void AddToColour(int n, ReadOnlySpan<double> delta)
    {
        for (int c = 0; c < ColourChannels; c++)
        {
            int start = (n * Channels + c) * Pixels;
            for (int i = 0; i < Pixels; i++)
                _values[start + i] = Math.Clamp(_values[start + i] + delta[i], 0, 1);
        }
    }
}
