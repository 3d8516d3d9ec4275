using System.Runtime.InteropServices;
using Loom.Core;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.IO.Images;

/// <summary>
/// Reads and writes PNG images as tensors in channel-first layout: [C,H,W] with C = 1 (grey), 3 (RGB) or 4 (RGBA).
/// Float tensors hold intensities in [0,1] (values outside are clamped when writing); byte tensors hold 0..255.
/// Writes are atomic (temporary file then rename).
/// </summary>
public static class Png
{
    /// <summary>
    /// Writes <paramref name="image"/> ([H,W], [1,H,W], [3,H,W] or [4,H,W]; float in [0,1] or uint8) to
    /// <paramref name="path"/> as a PNG. Throws <see cref="LoomDataException"/> for a bad shape or NaN values.
    /// </summary>
    public static void Write(string path, Tensor image)
    {
        var bytes = EncodeToBytes(image, path);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Encodes an image tensor (see <see cref="Write"/>) to PNG bytes.</summary>
    public static byte[] Encode(Tensor image) => EncodeToBytes(image, "image");

    /// <summary>Reads a PNG as a float32 tensor [C,H,W] in [0,1] (C = 1 for grey, 3 for RGB, 4 when it has transparency).</summary>
    public static Tensor Read(string path)
    {
        using var scope = NewDisposeScope();
        var bytes = ReadBytes(path);
        return bytes.to(ScalarType.Float32).div_(255f).MoveToOuterDisposeScope();
    }

    /// <summary>Reads a PNG as a uint8 tensor [C,H,W] (C = 1 for grey, 3 for RGB, 4 when it has transparency).</summary>
    public static Tensor ReadBytes(string path)
    {
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: image file does not exist");
        var data = File.ReadAllBytes(path);
        return Decode(data, path);
    }

    /// <summary>Decodes PNG bytes to a uint8 tensor [C,H,W]; <paramref name="name"/> is used in error messages.</summary>
    public static Tensor Decode(byte[] data, string name = "image")
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (data.Length < signature.Length || !data.AsSpan(0, signature.Length).SequenceEqual(signature))
            throw new LoomDataException($"{name}: not a PNG file (missing PNG signature)");
        return DecodeImage(data, name, "PNG");
    }

    /// <summary>Decodes image bytes of any format SkiaSharp reads (PNG, JPEG, …) to a uint8 tensor [C,H,W].</summary>
    internal static Tensor DecodeImage(byte[] data, string name, string format)
    {
        using var codec = SKCodec.Create(new MemoryStream(data))
            ?? throw new LoomDataException($"{name}: {format} file is corrupt or truncated");
        var info = codec.Info;
        bool grey = info.ColorType == SKColorType.Gray8;
        bool alpha = !grey && info.AlphaType != SKAlphaType.Opaque;
        var target = new SKImageInfo(info.Width, info.Height,
            grey ? SKColorType.Gray8 : SKColorType.Rgba8888, grey ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var pixels = new byte[target.BytesSize];
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            var result = codec.GetPixels(target, handle.AddrOfPinnedObject());
            if (result != SKCodecResult.Success)
                throw new LoomDataException($"{name}: {format} file could not be decoded ({result})");
        }
        finally
        {
            handle.Free();
        }
        int h = info.Height, w = info.Width;
        if (target.RowBytes != w * target.BytesPerPixel)
            throw new LoomDataException($"{name}: unexpected {format} row layout");
        using var scope = NewDisposeScope();
        if (grey)
            return tensor(pixels, [1L, h, w], ScalarType.Byte).MoveToOuterDisposeScope();
        var hwc = tensor(pixels, [(long)h, w, 4], ScalarType.Byte);
        var chw = hwc.permute(2, 0, 1);
        if (!alpha)
            chw = chw.narrow(0, 0, 3);
        return chw.contiguous().MoveToOuterDisposeScope();
    }

    private static byte[] EncodeToBytes(Tensor image, string name)
    {
        using var bitmap = ToBitmap(image, name);
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new LoomException($"{name}: PNG encoding failed");
        return encoded.ToArray();
    }

    /// <summary>An image tensor (see <see cref="Write"/>) as a Gray8 or RGBA8888 bitmap; the caller disposes it.</summary>
    internal static SKBitmap ToBitmap(Tensor image, string name)
    {
        using var scope = NewDisposeScope();
        var chw = ToByteChw(image, name);
        int c = (int)chw.shape[0], h = (int)chw.shape[1], w = (int)chw.shape[2];
        Tensor pixels;
        SKImageInfo info;
        if (c == 1)
        {
            pixels = chw.reshape(h, w);
            info = new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque);
        }
        else
        {
            var rgba = c == 4 ? chw : cat([chw, full([1L, h, w], (byte)255, ScalarType.Byte)], 0);
            pixels = rgba.permute(1, 2, 0).contiguous();
            info = new SKImageInfo(w, h, SKColorType.Rgba8888, c == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        }
        var raw = pixels.data<byte>().ToArray();
        var bitmap = new SKBitmap(info);
        Marshal.Copy(raw, 0, bitmap.GetPixels(), raw.Length);
        return bitmap;
    }

    /// <summary>Validates the shape/values and converts to a contiguous uint8 [C,H,W] tensor on the CPU.</summary>
    internal static Tensor ToByteChw(Tensor image, string name)
    {
        var t = image.cpu();
        if (t.dim() == 2)
            t = t.unsqueeze(0);
        if (t.dim() != 3 || t.shape[0] is not (1 or 3 or 4))
            throw new LoomDataException(
                $"{name}: image tensor must be [H,W], [1,H,W], [3,H,W] or [4,H,W], got [{string.Join(",", image.shape)}]");
        if (t.shape[1] < 1 || t.shape[2] < 1)
            throw new LoomDataException($"{name}: image tensor is empty ([{string.Join(",", image.shape)}])");
        if (t.dtype == ScalarType.Byte)
            return t.contiguous();
        if (!t.is_floating_point())
            throw new LoomDataException($"{name}: image tensor must be float (0..1) or uint8, got {t.dtype}");
        if (t.isnan().any().item<bool>())
            throw new LoomDataException($"{name}: image tensor contains NaN");
        return t.to(ScalarType.Float32).clamp(0, 1).mul(255).round().to(ScalarType.Byte).contiguous();
    }
}
