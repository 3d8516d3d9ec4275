using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Loom.Watermarks.Images;

/// <summary>
/// A deterministic random stream derived from a key: SHA-256 in counter mode over (key, purpose, block index). The same
/// key and purpose give the same numbers in every process and on every machine, which is what lets a detector in another
/// process rebuild the embedder's pattern from the key alone. Not a general-purpose generator.
/// </summary>
internal sealed class KeyedRandom
{
    private readonly byte[] _prefix;
    private readonly byte[] _block = new byte[32];
    private long _counter;
    private int _used = 32;

    /// <summary>A stream for <paramref name="key"/>; <paramref name="purpose"/> separates independent streams of one key.</summary>
    public KeyedRandom(string key, string purpose)
    {
        var prefix = Encoding.UTF8.GetBytes($"loom-image-watermark/v1\0{purpose}\0{key}\0");
        _prefix = new byte[prefix.Length + 8];
        prefix.CopyTo(_prefix, 0);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        if (_used + 8 > _block.Length)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_prefix.AsSpan(_prefix.Length - 8), _counter++);
            SHA256.HashData(_prefix, _block);
            _used = 0;
        }
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_block.AsSpan(_used));
        _used += 8;
        return value;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound) => (int)(NextDouble() * bound);

    /// <summary>A standard normal draw (Box–Muller).</summary>
    public double NextGaussian()
    {
        double u = 1.0 - NextDouble();
        double v = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
