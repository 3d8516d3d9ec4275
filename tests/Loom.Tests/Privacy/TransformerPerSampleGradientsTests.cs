using Loom.Models.Transformer;
using Loom.Privacy;
using TorchSharp;
using static Loom.Tests.Privacy.PerSampleGradientsTests;
using static TorchSharp.torch;

namespace Loom.Tests.Privacy;

/// <summary>
/// The transformer language models' layers — GPT-2's Conv1D, RMSNorm, position embeddings and the output head tied to
/// the token embedding — give per-example gradients equal to a loop over single examples.
/// </summary>
public class TransformerPerSampleGradientsTests
{
    private static Tensor Tokens(long length) => torch.randint(0, 11, [Batch, length], generator: new Generator(5));

    [Fact]
    public void Conv1DOverASequence() => AssertMatchesTheLoop(Seeded(() => Init(new Conv1D(4, 3))),
        torch.randn([Batch, 6, 4], dtype: ScalarType.Float64, generator: new Generator(3)));

    [Fact]
    public void Conv1DOverAShortSequence() => AssertMatchesTheLoop(Seeded(() => Init(new Conv1D(8, 6))),
        torch.randn([Batch, 2, 8], dtype: ScalarType.Float64, generator: new Generator(3)));

    [Fact]
    public void RmsNormOverHeads() => AssertMatchesTheLoop(Seeded(() => nn.Sequential(nn.Linear(4, 6), new RmsNorm(6, 1e-6))),
        torch.randn([Batch, 3, 2, 4], dtype: ScalarType.Float64, generator: new Generator(3)));

    [Fact]
    public void GptWithATiedHead() => AssertMatchesTheLoop(Seeded(() => new Logits(new DecoderTransformer(new TransformerConfig
    {
        VocabSize = 11, ContextLength = 8, Layers = 2, Heads = 2, KvHeads = 2, Width = 8, TieEmbeddings = true,
    }, seed: 1))), Tokens(6));

    [Fact]
    public void LlamaWithQkNormAndAnUntiedHead() => AssertMatchesTheLoop(Seeded(() => new Logits(new DecoderTransformer(
        new TransformerConfig
        {
            Style = TransformerStyle.Llama, VocabSize = 11, ContextLength = 8, Layers = 2, Heads = 2, KvHeads = 1, Width = 8,
            FfnWidth = 12, Bias = false, TieEmbeddings = false, QkNorm = true,
        }, seed: 1))), Tokens(5));

    [Fact]
    public void TheTiedHeadAddsToTheEmbeddingsGradient()
    {
        var model = new DecoderTransformer(new TransformerConfig
        {
            VocabSize = 11, ContextLength = 8, Layers = 1, Heads = 2, KvHeads = 2, Width = 8, TieEmbeddings = true,
        }, seed: 1);
        Assert.DoesNotContain(model.state_dict().Keys, k => k.StartsWith("lm_head", StringComparison.Ordinal));
        using var hooks = new PerSampleGradients(model);
        var tokens = Tokens(4);
        model.Forward(tokens).pow(2).sum().backward();
        var embedding = model.named_parameters().Single(p => p.name == "transformer.wte.weight").parameter;
        var perExample = hooks.Gradients()[embedding];
        Assert.True((perExample.sum(0L) - embedding.grad!).abs().max().ToDouble() < 1e-4);
    }

    private static Conv1D Init(Conv1D conv)
    {
        using (torch.no_grad()) conv.Weight.normal_(0, 0.5);
        return conv;
    }

    /// <summary>A language model as a module from tokens to logits (what the loop helper calls).</summary>
    private sealed class Logits : nn.Module<Tensor, Tensor>
    {
        private readonly DecoderTransformer model;

        public Logits(DecoderTransformer model) : base("logits")
        {
            this.model = model;
            RegisterComponents();
        }

        public override Tensor forward(Tensor tokens) => model.Forward(tokens);
    }
}
