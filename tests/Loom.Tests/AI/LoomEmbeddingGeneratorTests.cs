using Loom.AI;
using Loom.Models.Transformer;
using Microsoft.Extensions.AI;
using TorchSharp;

namespace Loom.Tests.AI;

/// <summary>
/// <see cref="LoomEmbeddingGenerator"/>: unit-length mean-pooled final hidden states (the head's input), one per text,
/// deterministic, the model's width long, with token usage.
/// </summary>
public sealed class LoomEmbeddingGeneratorTests
{
    [Fact]
    public async Task Embeddings_are_the_unit_mean_of_the_hidden_states_the_output_head_reads()
    {
        using var model = TinyChatModel.Create();
        using var generator = new LoomEmbeddingGenerator(model, "tiny");
        var result = await generator.GenerateAsync(["hello there", "hello there", "ok?", ""]);
        Assert.Equal(4, result.Count);
        Assert.Equal(32, generator.Metadata.DefaultModelDimensions);
        foreach (var e in result)
        {
            Assert.Equal(32, e.Vector.Length);
            Assert.Equal(1.0, Math.Sqrt(e.Vector.ToArray().Sum(v => (double)v * v)), 5);
        }
        Assert.Equal(result[0].Vector.ToArray(), result[1].Vector.ToArray());
        Assert.NotEqual(result[0].Vector.ToArray(), result[2].Vector.ToArray());
        Assert.Equal(11 + 11 + 3 + 1, result.Usage!.InputTokenCount);

        // The pooled vectors are the head's input: the head applied to the hidden states gives the model's logits.
        var transformer = (DecoderTransformer)model.Network;
        using var ids = torch.tensor(model.Tokenizer.Encode("hello there").Select(i => (long)i).ToArray()).view(1, -1);
        using var noGrad = torch.no_grad();
        using var hidden = transformer.HiddenStates(ids);
        using var logits = transformer.Forward(ids);
        var head = transformer.named_parameters().Single(p => p.name == "lm_head.weight").parameter;
        using var fromHidden = hidden.matmul(head.t());
        Assert.True(torch.allclose(fromHidden, logits, rtol: 1e-5, atol: 1e-6));
        using var pooled = hidden[0].mean([0]);
        using var unit = pooled / pooled.norm();
        var expected = unit.data<float>().ToArray();
        var actual = result[0].Vector.ToArray();
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 5));
    }
}
