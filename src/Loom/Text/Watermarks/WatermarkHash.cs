using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Loom.Text.Watermarks;

/// <summary>The 64-bit hashes the watermark seeds its green lists with: a SplitMix64 finaliser and a key digest.</summary>
public static class WatermarkHash
{
    /// <summary>The first eight bytes (little-endian) of the SHA-256 of the key's UTF-8.</summary>
    public static ulong KeyDigest(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>Mixes <paramref name="value"/> into <paramref name="state"/>.</summary>
    public static ulong Mix(ulong state, ulong value) => Finalise(state ^ Finalise(value + 0x9E3779B97F4A7C15UL));

    /// <summary>SplitMix64's output function: every input bit affects every output bit.</summary>
    private static ulong Finalise(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
