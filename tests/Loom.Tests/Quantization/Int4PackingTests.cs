using Loom.Core;
using Loom.Models.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Quantization;

/// <summary>4-bit packing: two values per byte, low nibble first; round trips for odd counts and signed values.</summary>
public sealed class Int4PackingTests
{
    private static int[] Ints(Tensor t) => t.to(ScalarType.Int32).data<int>().ToArray();

    [Fact]
    public void The_first_value_goes_in_the_low_nibble()
    {
        using var values = torch.tensor(new[] { 1, 2, 15, 0 });
        using var packed = Int4Packing.Pack(values);
        Assert.Equal(ScalarType.Byte, packed.dtype);
        Assert.Equal(new[] { 0x21, 0x0F }, Ints(packed));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(101)]
    public void Unsigned_values_round_trip_for_odd_and_even_counts(int count)
    {
        var random = new Random(count);
        var expected = Enumerable.Range(0, count).Select(_ => random.Next(0, 16)).ToArray();
        using var values = torch.tensor(expected);
        using var packed = Int4Packing.Pack(values);
        Assert.Equal((count + 1) / 2, packed.numel());
        using var back = Int4Packing.Unpack(packed, count);
        Assert.Equal(expected, Ints(back));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(32)]
    public void Signed_values_round_trip_through_two_complement_nibbles(int count)
    {
        var random = new Random(count);
        var expected = Enumerable.Range(0, count).Select(i => i == 0 ? -8 : i == 1 ? 7 : random.Next(-8, 8)).ToArray();
        using var values = torch.tensor(expected);
        using var packed = Int4Packing.Pack(values, signed: true);
        Assert.Equal(0xF8 & 0x0F, Ints(packed)[0] & 0x0F);   // −8 is the nibble 1000
        using var back = Int4Packing.Unpack(packed, count, signed: true);
        Assert.Equal(expected, Ints(back));
    }

    [Fact]
    public void A_two_dimensional_tensor_packs_row_major()
    {
        using var values = torch.tensor(new[] { 3, 4, 5, 6, 7, 8 }).view(2, 3);
        using var packed = Int4Packing.Pack(values);
        using var back = Int4Packing.Unpack(packed, 6);
        Assert.Equal(new[] { 3, 4, 5, 6, 7, 8 }, Ints(back));
    }

    [Theory]
    [InlineData(16, false)]
    [InlineData(-1, false)]
    [InlineData(8, true)]
    [InlineData(-9, true)]
    public void Values_outside_four_bits_are_refused(int value, bool signed)
    {
        using var values = torch.tensor(new[] { 0, value });
        Assert.Throws<LoomUsageException>(() => Int4Packing.Pack(values, signed));
    }

    [Fact]
    public void Asking_for_more_values_than_the_bytes_hold_is_refused()
    {
        using var packed = torch.zeros(2, ScalarType.Byte);
        Assert.Throws<LoomUsageException>(() => Int4Packing.Unpack(packed, 5));
    }
}
