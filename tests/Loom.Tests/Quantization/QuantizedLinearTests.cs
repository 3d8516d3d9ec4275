using Loom.Models.Quantization;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Quantization;

/// <summary>A quantized layer computes x Wᵀ + b with its dequantized weight: checked against a naive double-precision loop.</summary>
public sealed class QuantizedLinearTests
{
    public static TheoryData<int, bool> Cases => new() { { 8, true }, { 8, false }, { 4, true }, { 4, false } };

    private static double[] Doubles(Tensor t) => t.to(ScalarType.Float64).contiguous().data<double>().ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Its_output_is_the_naive_product_with_the_dequantized_weight(int bits, bool hasBias)
    {
        const int inputs = 32, outputs = 10;
        using var g = new torch.Generator(11);
        using var weight = torch.randn(outputs, inputs, generator: g) * 0.3;
        using var bias = torch.randn(outputs, generator: g);
        using var layer = QuantizedLinear.Quantize(weight, hasBias ? bias : null,
            new QuantizationOptions { Bits = bits, GroupSize = bits == 4 ? 16 : null });
        using var x = torch.randn(new long[] { 2, 3, inputs }, generator: g);
        using var y = layer.call(x);
        Assert.Equal(new long[] { 2, 3, outputs }, y.shape);

        var w = Doubles(layer.DequantizedWeight());
        var xs = Doubles(x);
        var b = Doubles(bias);
        var ys = Doubles(y);
        for (int row = 0; row < 6; row++)
            for (int o = 0; o < outputs; o++)
            {
                double expected = hasBias ? b[o] : 0;
                for (int i = 0; i < inputs; i++) expected += xs[row * inputs + i] * w[o * inputs + i];
                Assert.True(Math.Abs(ys[row * outputs + o] - expected) <= 1e-5,
                    $"row {row} output {o}: {ys[row * outputs + o]} vs {expected}");
            }
    }

    [Fact]
    public void Its_tensors_hold_no_gradients_and_keep_the_quantized_dtypes()
    {
        using var weight = torch.randn(4, 8);
        using var layer = QuantizedLinear.Quantize(weight, torch.zeros(4), new QuantizationOptions { Bits = 4, GroupSize = 8 });
        var names = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(new[] { "bias", "qweight", "scales", "zeros" }, names.Keys.Order(StringComparer.Ordinal));
        Assert.All(names.Values, p => Assert.False(p.requires_grad));
        Assert.Equal(ScalarType.Byte, names["qweight"].dtype);
        Assert.Equal(ScalarType.Byte, names["zeros"].dtype);
        Assert.Equal(ScalarType.Float32, names["scales"].dtype);
    }
}
