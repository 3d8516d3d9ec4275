using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Audio;

/// <summary>
/// A clip's log-magnitude <see cref="Spectrogram"/> as a PNG (written through SkiaSharp by <see cref="Png"/>): time left
/// to right, frequency bottom to top, the top <see cref="RangeNats"/> of the log magnitude mapped from black through
/// red and yellow to white.
/// </summary>
public static class SpectrogramPng
{
    /// <summary>The dynamic range shown, in nats of magnitude below the loudest bin (≈ 70 dB).</summary>
    public const double RangeNats = 8;

    /// <summary>Writes the spectrogram of <paramref name="clip"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, AudioClip clip, Spectrogram? spectrogram = null)
    {
        var values = (spectrogram ?? new Spectrogram()).Compute(clip.Samples);
        int width = values.Length, height = values[0].Length;
        double top = values.Max(row => row.Max());
        var rgb = new byte[3 * height * width];
        for (int x = 0; x < width; x++)
            for (int k = 0; k < height; k++)
            {
                double v = Math.Clamp(1 - (top - values[x][k]) / RangeNats, 0, 1);
                int y = height - 1 - k;
                rgb[(0 * height + y) * width + x] = (byte)Math.Round(255 * Math.Clamp(3 * v, 0, 1));
                rgb[(1 * height + y) * width + x] = (byte)Math.Round(255 * Math.Clamp(3 * v - 1, 0, 1));
                rgb[(2 * height + y) * width + x] = (byte)Math.Round(255 * Math.Clamp(3 * v - 2, 0, 1));
            }
        using var image = torch.tensor(rgb, [3, height, width], ScalarType.Byte);
        Png.Write(path, image);
    }
}
