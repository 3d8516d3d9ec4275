using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Quantization;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Quantization;

/// <summary>
/// The HF GPT-2 and Llama fixtures (random weights, transformers' logits beside them) quantized in memory: int8 logits
/// stay close to transformers' float32 ones (mean absolute error in units of the logits' standard deviation), 4-bit
/// ones further away but still close.
/// </summary>
public sealed class HfFixtureQuantizationTests
{
    [Theory]
    [InlineData("tiny-gpt2")]
    [InlineData("tiny-llama")]
    public void Quantized_logits_stay_near_the_float_reference(string name)
    {
        using var reference = SafeTensorsFile.Load(RepoPaths.Fixture(Path.Combine("hf", name, "reference.safetensors")));
        var ids = reference.Tensors["input_ids"];
        var expected = reference.Tensors["logits"];
        using var spread = expected.std();
        double Error(QuantizationOptions? options)
        {
            using var model = (NeuralLanguageModel)Checkpoint.Load(RepoPaths.Fixture(Path.Combine("hf", name)));
            if (options is not null) LayerQuantization.Quantize(model.Network, options);
            using var noGrad = torch.no_grad();
            using var logits = ((DecoderTransformer)model.Network).Forward(ids);
            using var diff = (logits - expected).abs().mean();
            return diff.ToDouble() / spread.ToDouble();
        }
        double fp32 = Error(null), int8 = Error(new QuantizationOptions { Bits = 8 });
        double int4 = Error(new QuantizationOptions { Bits = 4, GroupSize = 32 });
        Assert.True(fp32 < 1e-4, $"float {fp32}");
        Assert.True(int8 > fp32 && int8 < 0.02, $"int8 {int8}");
        Assert.True(int4 > int8 && int4 < 0.25, $"int4 {int4}");
    }
}
