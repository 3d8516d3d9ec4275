using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Quantization;

/// <summary>
/// Packs 4-bit integers two per byte: element 2i in the low nibble, 2i+1 in the high one; an odd count pads the last high
/// nibble with 0. Unsigned values are 0…15; signed values −8…7 are stored as their two's-complement nibble.
/// </summary>
public static class Int4Packing
{
    /// <summary>Packs the integers of <paramref name="values"/> (any shape, read flat) into uint8 [⌈n/2⌉].</summary>
    public static Tensor Pack(Tensor values, bool signed = false)
    {
        using var scope = torch.NewDisposeScope();
        var flat = values.flatten().to(ScalarType.Int32);
        int low = signed ? -8 : 0, high = signed ? 7 : 15;
        if (flat.numel() > 0 && (flat.min().ToInt32() < low || flat.max().ToInt32() > high))
            throw new LoomUsageException($"4-bit packing: values must lie in {low}…{high}");
        if (signed)
            flat = flat.remainder(16);   // two's-complement nibble: −1 → 15
        if (flat.numel() % 2 != 0)
            flat = torch.cat([flat, torch.zeros(1, ScalarType.Int32, flat.device)]);
        var pairs = flat.view(-1, 2);
        var packed = pairs.select(1, 0) + pairs.select(1, 1) * 16;
        return packed.to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>The first <paramref name="count"/> integers packed in <paramref name="packed"/> (uint8), as int32 [count].</summary>
    public static Tensor Unpack(Tensor packed, long count, bool signed = false)
    {
        if (packed.dtype != ScalarType.Byte)
            throw new LoomUsageException($"4-bit unpacking: packed values are uint8, not {packed.dtype}");
        if (count < 0 || (count + 1) / 2 > packed.numel())
            throw new LoomUsageException($"4-bit unpacking: {packed.numel()} bytes hold at most {2 * packed.numel()} values, not {count}");
        using var scope = torch.NewDisposeScope();
        var bytes = packed.flatten().to(ScalarType.Int32);
        var values = torch.stack([bytes.remainder(16), bytes.div(16, RoundingMode.floor)], 1).flatten().narrow(0, 0, count);
        if (signed)
            values = values - values.ge(8).to(ScalarType.Int32) * 16;
        return values.MoveToOuterDisposeScope();
    }
}
