using Loom.Core;
using Loom.Models;
using Loom.Models.Quantization;
using Loom.Models.Transformer;
using Loom.Tests.Adapters;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Tests.Quantization;

/// <summary>
/// Quantizing the tiny GPT-2 (Conv1D projections) and Llama (Linear projections) transformers: every block projection
/// becomes a quantized layer under the same path, embeddings, norms and the head stay float32, and the quantized model's
/// logits equal those of a float model holding the dequantized weights.
/// </summary>
public sealed class LayerQuantizationTests
{
    public static TheoryData<string, int> Cases => new() { { "gpt", 8 }, { "gpt", 4 }, { "llama", 8 }, { "llama", 4 } };

    private static QuantizationOptions Options(int bits) => new() { Bits = bits, GroupSize = bits == 4 ? 16 : null };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_projection_is_quantized_under_its_path_and_nothing_else(string style, int bits)
    {
        using var model = LoraAdaptersTests.Create(style);
        var before = LayerQuantization.Targets(model).Select(t => t.Path).ToList();
        Assert.Equal(style == "gpt" ? 8 : 14, before.Count);   // 2 blocks × (c_attn, c_proj, c_fc, c_proj) or × 7 projections
        Assert.Equal(before.Count, LayerQuantization.Quantize(model, Options(bits)));
        Assert.Empty(LayerQuantization.Targets(model));
        var state = model.StateByKey();
        foreach (var path in before)
        {
            Assert.False(state.ContainsKey(path + ".weight"), path);
            Assert.Equal(bits == 8 ? ScalarType.Int8 : ScalarType.Byte, state[path + ".qweight"].dtype);
            Assert.Equal(bits == 4, state.ContainsKey(path + ".zeros"));
        }
        Assert.All(state.Where(kv => !kv.Key.EndsWith("qweight", StringComparison.Ordinal)
                && !kv.Key.EndsWith("zeros", StringComparison.Ordinal)),
            kv => Assert.Equal(ScalarType.Float32, kv.Value.dtype));
        if (style == "llama")
            Assert.Equal(ScalarType.Float32, state["lm_head.weight"].dtype);   // the untied head stays float
        Assert.Equal(Options(bits), LayerQuantization.OptionsOf(model));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_logits_equal_a_float_model_holding_the_dequantized_weights(string style, int bits)
    {
        using var quantized = LoraAdaptersTests.Create(style);
        using var reference = LoraAdaptersTests.Create(style);
        quantized.eval();
        reference.eval();
        LayerQuantization.Quantize(quantized, Options(bits));
        var layers = ModuleTree.Distinct(quantized).Where(m => m.Module is QuantizedLinear)
            .ToDictionary(m => m.Path, m => (QuantizedLinear)m.Module);
        using (torch.no_grad())
            foreach (var target in LayerQuantization.Targets(reference))
            {
                using var w = layers[target.Path].DequantizedWeight();
                switch (target.Layer)
                {
                    case Conv1D conv: conv.Weight.copy_(w.t()); break;
                    case Linear linear: linear.weight!.copy_(w); break;
                }
            }
        using var expected = LoraAdaptersTests.Logits(reference);
        using var actual = LoraAdaptersTests.Logits(quantized);
        Assert.True((expected - actual).abs().max().ToDouble() <= 1e-5);
        using var original = LoraAdaptersTests.Create(style);
        original.eval();
        using var floatLogits = LoraAdaptersTests.Logits(original);
        Assert.True((floatLogits - actual).abs().max().ToDouble() > 0);   // quantization did change the weights
    }

    [Fact]
    public void A_group_size_wider_than_a_layer_quantizes_it_in_one_short_group()
    {
        using var model = LoraAdaptersTests.Create("gpt", width: 16);
        var options = new QuantizationOptions { Bits = 4, GroupSize = 32 };
        Assert.Equal(8, LayerQuantization.Quantize(model, options));
        var attention = model.modules().OfType<QuantizedLinear>().First(q => q.Inputs == 16);
        Assert.Equal(new long[] { attention.Outputs, 1 }, attention.Scales.shape);
        using var weight = attention.DequantizedWeight();
        Assert.Equal(new long[] { attention.Outputs, 16 }, weight.shape);
    }

    [Fact]
    public void A_quantized_model_is_not_quantized_again()
    {
        using var model = LoraAdaptersTests.Create("llama");
        LayerQuantization.Quantize(model, Options(8));
        Assert.Throws<LoomUsageException>(() => LayerQuantization.Quantize(model, Options(4)));
    }
}
