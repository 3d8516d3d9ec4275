using SkiaSharp;

namespace Loom.IO.Images;

/// <summary>Scales a PNG file down to fit a square box (aspect kept, never enlarged) and returns PNG bytes.</summary>
public static class PngThumbnail
{
    /// <summary>
    /// The PNG at <paramref name="path"/> scaled to fit <paramref name="maxSide"/>×<paramref name="maxSide"/> pixels
    /// (its own bytes when it already fits); false when the file cannot be read or decoded as an image.
    /// </summary>
    public static bool TryEncode(string path, int maxSide, out byte[] png)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        png = [];
        byte[] original;
        try
        {
            original = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        using var codec = SKCodec.Create(new MemoryStream(original)); // null when the bytes are not an image
        using var bitmap = codec is null ? null : SKBitmap.Decode(codec);
        if (bitmap is null)
            return false;
        int longest = Math.Max(bitmap.Width, bitmap.Height);
        if (longest <= maxSide)
        {
            png = original;
            return true;
        }
        double scale = (double)maxSide / longest;
        var size = new SKImageInfo(
            Math.Max(1, (int)Math.Round(bitmap.Width * scale)), Math.Max(1, (int)Math.Round(bitmap.Height * scale)),
            bitmap.ColorType, bitmap.AlphaType);
        using var scaled = bitmap.Resize(size, new SKSamplingOptions(SKCubicResampler.Mitchell));
        if (scaled is null)
            return false;
        using var image = SKImage.FromBitmap(scaled);
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        png = encoded.ToArray();
        return true;
    }
}
