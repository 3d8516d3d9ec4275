using System.Buffers.Binary;
using Loom.IO.Images;
using Loom.Provenance;
using static TorchSharp.torch;

namespace Loom.Tests.Provenance;

/// <summary>Small fixed inputs for the provenance tests: a PNG from Loom's own writer and a generation record.</summary>
internal static class ProvenanceFixtures
{
    /// <summary>An 8×8 RGB PNG with a fixed pattern, encoded by <see cref="Png"/>.</summary>
    public static byte[] Png8x8()
    {
        using var image = arange(3 * 8 * 8, dtype: ScalarType.Int64).mul(37).remainder(256).to(ScalarType.Byte).reshape(3, 8, 8);
        return Png.Encode(image);
    }

    /// <summary><see cref="Png8x8"/> signed with <see cref="Record"/> by a new key made in <paramref name="keysFolder"/>.</summary>
    public static byte[] SignedPng(string keysFolder)
    {
        using var keys = ProvenanceKeys.Generate(keysFolder);
        return ContentCredentials.SignPng(Png8x8(), keys, Record());
    }

    public static GenerationRecord Record() => new(
        "diffusion",
        new string('a', 64),
        Seed: 42,
        new Dictionary<string, string> { ["steps"] = "20", ["guidance"] = "3.5" });

    /// <summary>
    /// Naive chunk walk (independent of Loom's): the [start, end) of the first chunk of <paramref name="type"/>.
    /// </summary>
    public static (int Start, int End) FindChunk(byte[] png, string type)
    {
        for (var position = 8; position + 8 <= png.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(position));
            var end = position + 12 + length;
            if (System.Text.Encoding.ASCII.GetString(png, position + 4, 4) == type) return (position, end);
            position = end;
        }
        throw new InvalidOperationException($"no {type} chunk");
    }

    /// <summary>
    /// <paramref name="signed"/> with one pixel changed and the image re-encoded, keeping its manifest chunk (caBX) in
    /// place right after IHDR, as an editor that preserves metadata would.
    /// </summary>
    public static byte[] WithOnePixelChanged(byte[] signed)
    {
        using var pixels = Png.Decode(signed);
        pixels[0, 3, 4] = tensor((byte)(pixels[0, 3, 4].item<byte>() ^ 0xFF));
        var repainted = Png.Encode(pixels);
        var (start, end) = FindChunk(signed, "caBX");
        var (_, ihdrEnd) = FindChunk(repainted, "IHDR");
        return [.. repainted.AsSpan(0, ihdrEnd), .. signed.AsSpan(start, end - start), .. repainted.AsSpan(ihdrEnd)];
    }
}
