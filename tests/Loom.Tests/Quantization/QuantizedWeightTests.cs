using Loom.Core;
using Loom.Models.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Quantization;

/// <summary>
/// Quantize → dequantize: every int8 weight lies within half its row's scale of the original, every 4-bit weight within
/// half its group's scale; int8 values match a naive per-row quantizer; zero and constant rows survive exactly.
/// </summary>
public sealed class QuantizedWeightTests
{
    /// <summary>A weight [out, in] whose rows have very different magnitudes, one all-zero row and one constant row.</summary>
    internal static Tensor Weight(long outputs = 6, long inputs = 64, long seed = 1)
    {
        using var g = new torch.Generator((ulong)seed);
        var w = torch.randn(outputs, inputs, generator: g);
        using var rowScale = torch.logspace(-3, 1, outputs).unsqueeze(1);
        w.mul_(rowScale);
        w[0].zero_();
        w[1].fill_(0.75);
        return w;
    }

    private static float[,] Rows(Tensor t)
    {
        var data = t.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        long cols = t.shape[1];
        var rows = new float[t.shape[0], cols];
        for (int i = 0; i < data.Length; i++) rows[i / cols, i % cols] = data[i];
        return rows;
    }

    [Fact]
    public void Int8_error_is_at_most_half_a_step_per_output_channel()
    {
        using var w = Weight();
        using var q = QuantizedWeight.Quantize(w, new QuantizationOptions { Bits = 8 });
        Assert.Equal(ScalarType.Int8, q.Values.dtype);
        using var back = q.Dequantize();
        var original = Rows(w);
        var restored = Rows(back);
        var scales = q.Scales.data<float>().ToArray();
        for (int r = 0; r < original.GetLength(0); r++)
            for (int c = 0; c < original.GetLength(1); c++)
                Assert.True(Math.Abs(original[r, c] - restored[r, c]) <= scales[r] / 2 * (1 + 1e-5) + 1e-12,
                    $"row {r} col {c}: {original[r, c]} → {restored[r, c]}, scale {scales[r]}");
        Assert.Equal(0, back[0].abs().sum().ToDouble());
        Assert.Equal(0.75, back[1].min().ToDouble(), 6);
    }

    [Fact]
    public void Int8_values_match_a_naive_symmetric_per_row_quantizer()
    {
        using var w = Weight(5, 33, seed: 4);
        using var q = QuantizedWeight.Quantize(w, new QuantizationOptions { Bits = 8 });
        var original = Rows(w);
        var values = Rows(q.Values);
        for (int r = 0; r < original.GetLength(0); r++)
        {
            float max = 0;
            for (int c = 0; c < original.GetLength(1); c++) max = Math.Max(max, Math.Abs(original[r, c]));
            float scale = max > 0 ? max / 127f : 1f;
            Assert.Equal(scale, q.Scales[r].ToSingle());
            for (int c = 0; c < original.GetLength(1); c++)
                Assert.Equal(Math.Clamp(MathF.Round(original[r, c] / scale), -127, 127), values[r, c]);
        }
    }

    [Theory]
    [InlineData(32)]
    [InlineData(16)]
    public void Four_bit_error_is_at_most_half_a_step_per_group(int group)
    {
        using var w = Weight();
        var options = new QuantizationOptions { Bits = 4, GroupSize = group };
        using var q = QuantizedWeight.Quantize(w, options);
        Assert.Equal(new long[] { 6, 32 }, q.Values.shape);   // two per byte
        Assert.Equal(new long[] { 6, 64 / group }, q.Scales.shape);
        Assert.True(q.Zeros!.max().ToInt32() <= 15);
        using var back = q.Dequantize();
        var original = Rows(w);
        var restored = Rows(back);
        var scales = Rows(q.Scales);
        for (int r = 0; r < original.GetLength(0); r++)
            for (int c = 0; c < original.GetLength(1); c++)
                Assert.True(Math.Abs(original[r, c] - restored[r, c]) <= scales[r, c / group] / 2 * (1 + 1e-5) + 1e-12,
                    $"row {r} col {c}: {original[r, c]} → {restored[r, c]}, scale {scales[r, c / group]}");
        Assert.Equal(0, back[0].abs().sum().ToDouble());
        Assert.Equal(0.75, back[1].max().ToDouble(), 6);   // a constant group: its range [0, 0.75] ends on a step
    }

    [Fact]
    public void Four_bit_halves_int8_storage_and_coarsens_the_weights()
    {
        using var w = Weight(8, 128, seed: 7);
        using var eight = QuantizedWeight.Quantize(w, new QuantizationOptions { Bits = 8 });
        using var four = QuantizedWeight.Quantize(w, new QuantizationOptions { Bits = 4, GroupSize = 64 });
        Assert.Equal(eight.Values.numel(), 2 * four.Values.numel());
        using var e8 = (eight.Dequantize() - w).abs().mean();
        using var e4 = (four.Dequantize() - w).abs().mean();
        Assert.True(e4.ToDouble() > e8.ToDouble());
    }

    [Fact]
    public void A_group_size_that_does_not_divide_the_inputs_leaves_a_short_last_group_quantized_on_its_own_range()
    {
        using var w = Weight(4, 48, seed: 3);
        var options = new QuantizationOptions { Bits = 4, GroupSize = 32 };
        using var q = QuantizedWeight.Quantize(w, options);
        Assert.Equal(new long[] { 4, 24 }, q.Values.shape);
        Assert.Equal(new long[] { 4, 2 }, q.Scales.shape);   // 32 features, then 16
        using var back = q.Dequantize();
        Assert.Equal(new long[] { 4, 48 }, back.shape);
        var original = Rows(w);
        var restored = Rows(back);
        var scales = Rows(q.Scales);
        for (int r = 0; r < 4; r++)
        {
            // The short group's step is its own 16 features' range (widened to hold 0) in 15 steps: padding adds nothing.
            float low = 0, high = 0;
            for (int c = 32; c < 48; c++) (low, high) = (Math.Min(low, original[r, c]), Math.Max(high, original[r, c]));
            float expected = high > low ? (high - low) / 15f : 1f;
            Assert.Equal(expected, scales[r, 1], expected * 1e-5);
            for (int c = 0; c < 48; c++)
                Assert.True(Math.Abs(original[r, c] - restored[r, c]) <= scales[r, c / 32] / 2 * (1 + 1e-5) + 1e-12,
                    $"row {r} col {c}: {original[r, c]} → {restored[r, c]}");
        }
        using var reloaded = QuantizedWeight.FromTensors(q.Values, q.Scales, q.Zeros, 4, 48, options, "test");
        using var again = reloaded.Dequantize();
        Assert.True(again.equal(back).all().item<bool>());
        Assert.Throws<LoomDataException>(() => QuantizedWeight.FromTensors(q.Values, q.Scales, q.Zeros, 4, 48,
            new QuantizationOptions { Bits = 4, GroupSize = 16 }, "test"));
    }

    [Fact]
    public void Four_bits_refuse_a_layer_with_an_odd_number_of_inputs()
    {
        using var w = Weight(4, 33);
        var options = new QuantizationOptions { Bits = 4, GroupSize = 16 };
        var error = Assert.Throws<LoomUsageException>(() => QuantizedWeight.Quantize(w, options));
        Assert.Contains("33 (odd)", error.Message);
    }

    [Theory]
    [InlineData(3, null, "Bits")]
    [InlineData(16, null, "Bits")]
    [InlineData(4, 7, "GroupSize")]
    [InlineData(4, 0, "GroupSize")]
    [InlineData(8, 32, "GroupSize")]
    public void Bad_options_name_the_option(int bits, int? group, string option)
    {
        var error = Assert.Throws<LoomUsageException>(() => new QuantizationOptions { Bits = bits, GroupSize = group }.Validate());
        Assert.Equal(option, error.Option);
    }

    [Fact]
    public void Options_round_trip_through_their_config_entry()
    {
        var options = new QuantizationOptions { Bits = 4, GroupSize = 32 };
        Assert.Equal(options, QuantizationOptions.FromJson(options.ToJson(), "config.json"));
        var eight = new QuantizationOptions { Bits = 8 };
        Assert.Equal(eight, QuantizationOptions.FromJson(eight.ToJson(), "config.json"));
        var edited = options.ToJson();
        edited["scheme"] = "gptq";
        Assert.Throws<LoomDataException>(() => QuantizationOptions.FromJson(edited, "config.json"));
    }
}
