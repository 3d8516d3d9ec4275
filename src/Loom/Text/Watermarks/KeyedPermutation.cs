namespace Loom.Text.Watermarks;

/// <summary>
/// A seeded pseudo-random permutation of [0, n): a six-round balanced Feistel network over the smallest even number of bits
/// that covers n, cycle-walked back into range. Any one element's image costs a few hashes (no table of n entries), and the
/// result depends only on the seed, never on a random generator's state, so two processes agree on it.
/// </summary>
public static class KeyedPermutation
{
    private const int Rounds = 6;

    /// <summary>The image of <paramref name="x"/> in [0, <paramref name="n"/>) under the permutation <paramref name="seed"/>
    /// picks.</summary>
    public static int Apply(ulong seed, int x, int n)
    {
        if (n < 1)
            throw new ArgumentOutOfRangeException(nameof(n), n, "the domain must hold at least one element");
        if ((uint)x >= (uint)n)
            throw new ArgumentOutOfRangeException(nameof(x), x, $"must be in [0, {n})");
        int half = HalfBits(n);
        uint y = (uint)x;
        do
            y = Encrypt(seed, y, half);
        while (y >= (uint)n);
        return (int)y;
    }

    /// <summary>Bits in each Feistel half: the domain is 2^(2 × half) ≥ n.</summary>
    private static int HalfBits(int n)
    {
        int bits = 1;
        while ((1L << (2 * bits)) < n)
            bits++;
        return bits;
    }

    private static uint Encrypt(ulong seed, uint value, int half)
    {
        uint mask = (1u << half) - 1;
        uint left = value >> half, right = value & mask;
        for (int round = 0; round < Rounds; round++)
        {
            uint f = (uint)WatermarkHash.Mix(seed, ((ulong)round << 32) | right) & mask;
            (left, right) = (right, left ^ f);
        }
        return (left << half) | right;
    }
}
