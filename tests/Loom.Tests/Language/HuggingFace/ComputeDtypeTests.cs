using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Recurrent;
using Loom.Tests.Support;
using Loom.Tests.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Language.HuggingFace;

/// <summary>
/// Loading a text transformer to compute in bfloat16 or float16: every weight has that dtype, the logits stay within
/// half precision's error of transformers' float32 logits (the tiny fixtures in tests/fixtures/hf), generation runs, and
/// models that cannot compute in half precision say so naming the option.
/// </summary>
public sealed class ComputeDtypeTests
{
    private static string Fixture(string name) => RepoPaths.Fixture(Path.Combine("hf", name));

    [Theory]
    [InlineData("tiny-gpt2", ScalarType.BFloat16)]
    [InlineData("tiny-llama", ScalarType.BFloat16)]
    [InlineData("tiny-llama", ScalarType.Float16)]
    public void Half_precision_loads_keep_transformers_logits_within_their_rounding(string name, ScalarType dtype)
    {
        using var model = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(Fixture(name), dtype: dtype));
        Assert.All(model.Network.parameters(), p => Assert.Equal(dtype, p.dtype));
        using var reference = SafeTensorsFile.Load(Path.Combine(Fixture(name), "reference.safetensors"));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logits = model.Causal.Forward(reference.Tensors["input_ids"]).to(ScalarType.Float32);
        var expected = reference.Tensors["logits"];
        double worst = (logits - expected).abs().max().ToDouble();
        double scale = expected.abs().max().ToDouble();
        // Four units of the dtype's rounding (2^-8 for bfloat16's 8 significant bits, 2^-11 for float16's 11) of the largest
        // logit: measured 0.9–1.8 (bfloat16) and 1.9 (float16) such units through these two-layer networks.
        double bound = 4 * Math.Pow(2, dtype == ScalarType.BFloat16 ? -8 : -11) * scale;
        Assert.True(worst <= bound, $"{name} in {dtype}: max |Δlogit| {worst:G4} > {bound:G4} (max |logit| {scale:G4})");
        Assert.True(worst > 0, "the half-precision network computed exactly float32's logits; was it converted?");
        var settings = new GenerationSettings { DoSample = false, MaxNewTokens = 6 };
        var output = model.CreateGenerator().Generate([new[] { 5, 6, 7 }], settings)[0];
        Assert.InRange(output.TokenIds.Count, 1, 6);
        Assert.All(output.TokenIds, t => Assert.InRange(t, 0, model.Causal.VocabSize - 1));
    }

    [Fact]
    public void A_loom_transformer_checkpoint_converts_and_a_recurrent_one_is_refused_naming_the_option()
    {
        using var tmp = new TempFolder();
        AI.TinyChatModel.Save(tmp.File("llama"));
        using (var model = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(tmp.File("llama"), dtype: ScalarType.BFloat16)))
            Assert.All(model.Network.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        var tokenizer = new CharTokenizer(["a", "b", "c"]);
        var rnn = new RecurrentLanguageModel(new RecurrentConfig
        {
            Cell = RecurrentCell.Gru, VocabSize = tokenizer.VocabSize, EmbeddingWidth = 4, Hidden = 8, Layers = 1,
        }, 3);
        using (var recurrent = new NeuralLanguageModel("gru", rnn, tokenizer, SequenceLayout.Stream, 0))
            Checkpoint.Save(tmp.File("gru"), recurrent, new ModelCard());
        var error = Assert.Throws<LoomUsageException>(() => Checkpoint.Load(tmp.File("gru"), dtype: ScalarType.BFloat16));
        Assert.Equal("Dtype", error.Option);
        Assert.Contains("'gru' model computes in float32 only", error.Message);
    }

    [Theory]
    [InlineData("bf16", ScalarType.BFloat16)]
    [InlineData("BFloat16", ScalarType.BFloat16)]
    [InlineData("fp16", ScalarType.Float16)]
    [InlineData("auto", ScalarType.Float32)]
    [InlineData("float32", ScalarType.Float32)]
    public void Dtype_names_parse(string spec, ScalarType expected) => Assert.Equal(expected, ComputeDtype.Parse(spec));

    [Fact]
    public void An_unknown_dtype_is_one_usage_error_naming_the_option()
    {
        var error = Assert.Throws<LoomUsageException>(() => ComputeDtype.Parse("int8"));
        Assert.Equal("Dtype", error.Option);
        Assert.Contains("float32, bfloat16 or float16", error.Message);
    }
}
