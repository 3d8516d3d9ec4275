using Loom.Models.Adapters;
using Loom.Models.Quantization;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Transformer;

/// <summary>
/// The fused batch-1 CPU decode step (<see cref="DecoderTransformer.FusedCpuDecode"/>) against the libtorch modules it
/// replaces: the same logits step after step (odd widths, with and without biases, tanh and exact GELU, tied and untied
/// heads), the same cache contents, the same greedy text, no leaked tensors, and the libtorch path wherever the fused
/// step does not apply (autograd on, a batch of two, an adapter-wrapped projection); int8 and 4-bit projections read in their
/// stored form give the logits of the libtorch step that dequantizes them.
/// </summary>
public sealed class FusedDecodeTests
{
    public static TheoryData<bool, bool, bool> Shapes => new()
    {
        { true, false, true },    // GPT-2: biases, tanh GELU, tied head
        { false, true, true },    // nanoGPT without biases: exact GELU
        { true, true, false },    // untied head
    };

    private static DecoderTransformer Model(bool bias, bool exactGelu, bool tied, int seed = 5) =>
        new(TransformerConfig.Gpt2(37, 48, 3, 5, 40) with { Bias = bias, ExactGelu = exactGelu, TieEmbeddings = tied }, seed);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fused_steps_give_the_logits_and_cache_of_the_libtorch_steps(bool bias, bool exactGelu, bool tied)
    {
        using var model = Model(bias, exactGelu, tied);
        model.eval();
        using var noGrad = torch.no_grad();
        var tokens = Enumerable.Range(0, 40).Select(i => (long)((i * 13 + 5) % 37)).ToArray();
        var fused = Decode(model, tokens, fusedOn: true, out var fusedKeys);
        Assert.Equal(tokens.Length - 6, model.FusedDecodeSteps);   // every step after the 6-token prefill
        var plain = Decode(model, tokens, fusedOn: false, out var plainKeys);
        Assert.Equal(tokens.Length - 6, model.FusedDecodeSteps);
        AssertSameSteps(fused, plain, fusedKeys, plainKeys);
    }

    [Theory]
    [InlineData(8, 0)]      // int8 per channel
    [InlineData(4, 20)]     // 4-bit, groups of 20: 8 values a vector step plus a tail of 2 per group
    [InlineData(4, 40)]
    public void Quantized_projections_are_read_in_their_stored_form_with_the_libtorch_steps_logits(int bits, int group)
    {
        using var model = Model(bias: true, exactGelu: false, tied: true);
        model.eval();
        var options = new QuantizationOptions { Bits = bits, GroupSize = bits == 4 ? group : null };
        Assert.Equal(12, LayerQuantization.Quantize(model, options));   // 4 projections in each of 3 layers
        using var noGrad = torch.no_grad();
        var tokens = Enumerable.Range(0, 30).Select(i => (long)((i * 7 + 2) % 37)).ToArray();
        var fused = Decode(model, tokens, fusedOn: true, out var fusedKeys);
        Assert.Equal(tokens.Length - 6, model.FusedDecodeSteps);
        var plain = Decode(model, tokens, fusedOn: false, out var plainKeys);
        AssertSameSteps(fused, plain, fusedKeys, plainKeys);
    }

    [Fact]
    public void Quantized_projections_with_a_short_last_group_take_the_libtorch_step()
    {
        using var model = Model(bias: true, exactGelu: false, tied: true);
        model.eval();
        Assert.Equal(12, LayerQuantization.Quantize(model, new QuantizationOptions { Bits = 4, GroupSize = 24 }));
        using var noGrad = torch.no_grad();
        var tokens = Enumerable.Range(0, 20).Select(i => (long)((i * 5 + 1) % 37)).ToArray();
        var fused = Decode(model, tokens, fusedOn: true, out var fusedKeys);
        Assert.Equal(0, model.FusedDecodeSteps);
        var plain = Decode(model, tokens, fusedOn: false, out var plainKeys);
        AssertSameSteps(fused, plain, fusedKeys, plainKeys);
    }

    /// <summary>Each step's logits within 1e-5 relative and the cached keys within 1e-5; disposes them all.</summary>
    private static void AssertSameSteps(List<Tensor> fused, List<Tensor> plain, Tensor fusedKeys, Tensor plainKeys)
    {
        for (int i = 0; i < fused.Count; i++)
        {
            double scale = plain[i].abs().max().ToDouble();
            double diff = (fused[i] - plain[i]).abs().max().ToDouble();
            Assert.True(diff <= 1e-5 * Math.Max(1, scale), $"step {i}: max |fused − libtorch| = {diff:E2} (scale {scale:F2})");
        }
        Assert.True((fusedKeys - plainKeys).abs().max().ToDouble() < 1e-5, "the cached keys differ");
        foreach (var t in fused.Concat(plain)) t.Dispose();
        fusedKeys.Dispose();
        plainKeys.Dispose();
    }

    /// <summary>Prefills 6 tokens, then feeds the rest one at a time; returns each step's logits and layer 1's keys.</summary>
    private static List<Tensor> Decode(DecoderTransformer model, long[] tokens, bool fusedOn, out Tensor keys)
    {
        model.FusedCpuDecode = fusedOn;
        using var state = (KvCache)model.CreateState(1, tokens.Length);
        using (model.Forward(torch.tensor(tokens[..6]).view(1, -1), null, state)) { }
        var logits = new List<Tensor>();
        for (int i = 6; i < tokens.Length; i++)
            logits.Add(model.Forward(torch.tensor(new[] { tokens[i] }).view(1, 1), null, state));
        keys = state.LayerStorage(1).Keys.narrow(2, 0, tokens.Length).clone();
        return logits;
    }

    [Fact]
    public void Greedy_generation_is_the_same_text_with_and_without_the_fused_step()
    {
        const string text = "to be or not to be, that is the question; whether tis nobler in the mind to suffer";
        var tokenizer = CharTokenizer.Train(text);
        using var model = new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, 64, 2, 4, 32), seed: 1);
        model.eval();
        var settings = new GenerationSettings { DoSample = false, MaxNewTokens = 40 };
        string Generate(bool fusedOn)
        {
            model.FusedCpuDecode = fusedOn;
            return new TextGenerator(model, tokenizer, 0).Generate(["to be"], settings)[0].Text;
        }
        string fused = Generate(true);
        long steps = model.FusedDecodeSteps;
        Assert.Equal(Generate(false), fused);
        Assert.True(steps >= 39, $"the fused step served {steps} of 40 steps");
    }

    [Fact]
    public void Sampled_generation_draws_the_same_tokens_with_and_without_the_fused_step()
    {
        const string text = "abcdefghijklmnopqrstuvwxyz ,.";
        var tokenizer = CharTokenizer.Train(text);
        using var model = new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, 64, 2, 4, 32), seed: 2);
        model.eval();
        var settings = new GenerationSettings { DoSample = true, Temperature = 1.5, MaxNewTokens = 30, Seed = 7 };
        string Generate(bool fusedOn)
        {
            model.FusedCpuDecode = fusedOn;
            return new TextGenerator(model, tokenizer, 7).Generate(["a"], settings)[0].Text;
        }
        Assert.Equal(Generate(false), Generate(true));
    }

    [Fact]
    public void Autograd_batches_of_two_and_adapted_layers_take_the_libtorch_path()
    {
        using var model = Model(true, false, true);
        model.eval();
        using (var state = model.CreateState(1, 8))
        using (model.Forward(torch.tensor(new long[] { 3 }).view(1, 1), null, state)) { }   // grad enabled
        using (torch.no_grad())
        using (var pair = model.CreateState(2, 8))
        using (model.Forward(torch.tensor(new long[] { 3, 4 }).view(2, 1), null, pair)) { }
        Assert.Equal(0, model.FusedDecodeSteps);

        using var noGrad = torch.no_grad();
        using var adapted = Model(true, false, true);
        adapted.eval();
        using var adapters = new LoraAdapters(adapted);
        adapters.Add(LoraAdapters.DefaultName, new LoraConfig { Rank = 2, Alpha = 4, TargetModules = LoraTargets.OfNames("c_attn") });
        using var state2 = adapted.CreateState(1, 8);
        using (adapted.Forward(torch.tensor(new long[] { 3, 1 }).view(1, 2), null, state2)) { }
        using (adapted.Forward(torch.tensor(new long[] { 2 }).view(1, 1), null, state2)) { }
        Assert.Equal(0, adapted.FusedDecodeSteps);
    }

    [Fact]
    public void Layers_replaced_or_adapted_between_steps_are_seen_by_the_next_step()
    {
        using var noGrad = torch.no_grad();
        using var fusedModel = Model(true, false, true);
        using var plainModel = Model(true, false, true);
        var tokens = new long[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        using var fusedState = fusedModel.CreateState(1, 20);
        using var plainState = plainModel.CreateState(1, 20);
        Tensor Step(DecoderTransformer model, Loom.Models.Language.IDecoderState state, long token) =>
            model.Forward(torch.tensor(new[] { token }).view(1, 1), null, state);
        foreach (var (model, state, fused) in new[] { (fusedModel, fusedState, true), (plainModel, plainState, false) })
        {
            model.eval();
            model.FusedCpuDecode = fused;
            using (model.Forward(torch.tensor(tokens[..3]).view(1, -1), null, state)) { }
            for (int i = 3; i < 6; i++) Step(model, state, tokens[i]).Dispose();
        }
        Assert.Equal(3, fusedModel.FusedDecodeSteps);
        // Quantizing replaces every projection: the fused step must read the new layers, not the pointers it kept.
        var options = new QuantizationOptions { Bits = 8 };
        Assert.Equal(LayerQuantization.Quantize(plainModel, options), LayerQuantization.Quantize(fusedModel, options));
        var fusedLogits = new List<Tensor>();
        var plainLogits = new List<Tensor>();
        for (int i = 6; i < 8; i++)
        {
            fusedLogits.Add(Step(fusedModel, fusedState, tokens[i]));
            plainLogits.Add(Step(plainModel, plainState, tokens[i]));
        }
        Assert.Equal(5, fusedModel.FusedDecodeSteps);
        AssertSameSteps(fusedLogits, plainLogits, ((KvCache)fusedState).LayerStorage(1).Keys.clone(),
            ((KvCache)plainState).LayerStorage(1).Keys.clone());
        // A probe hooked onto a layer between steps: the next step must run the modules, so the probe sees it.
        var mlp = (nn.Module<Tensor, Tensor>)fusedModel.named_modules().Single(m => m.name == "transformer.h.1.mlp").module;
        int probed = 0;
        var probe = mlp.register_forward_hook((module, input, output) =>
        {
            probed++;
            return output;
        });
        Step(fusedModel, fusedState, tokens[8]).Dispose();
        probe.remove();
        Assert.Equal(1, probed);
        Assert.Equal(5, fusedModel.FusedDecodeSteps);
        Step(fusedModel, fusedState, tokens[9]).Dispose();
        Assert.Equal(6, fusedModel.FusedDecodeSteps);
    }

    [Fact]
    public void Fused_steps_leave_no_tensors_behind()
    {
        using var model = Model(true, false, true);
        model.eval();
        using var noGrad = torch.no_grad();
        using var state = model.CreateState(1, 20);
        using (model.Forward(torch.tensor(new long[] { 1, 2, 3 }).view(1, -1), null, state)) { }
        using (var warm = torch.NewDisposeScope())
            model.Forward(torch.tensor(new long[] { 4 }).view(1, 1), null, state);
        long before = TensorCounts.Live;
        for (int i = 0; i < 10; i++)
            using (var scope = torch.NewDisposeScope())
                model.Forward(torch.tensor(new long[] { i % 11 }).view(1, 1), null, state);
        Assert.Equal(before, TensorCounts.Live);
        Assert.Equal(11, model.FusedDecodeSteps);
    }
}
