using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// A pre-norm Llama-family layer: x + attn(norm(x)), then + mlp(norm(x)). Keys <c>input_layernorm, self_attn,
/// post_attention_layernorm, mlp</c>, the same for Llama, Mistral, Qwen2/3, Gemma and Phi-3.
/// </summary>
public sealed class LlamaBlock : nn.Module, ITransformerBlock
{
    private readonly RmsNorm inputNorm, postAttentionNorm;
    private readonly LlamaAttention attn;
    private readonly LlamaMlp mlp;

    public LlamaBlock(TransformerConfig config, ScalarType dtype = ScalarType.Float32) : base("layer")
    {
        inputNorm = new RmsNorm(config.Width, config.NormEps, config.NormWeightPlusOne, dtype);
        attn = new LlamaAttention(config, dtype);
        postAttentionNorm = new RmsNorm(config.Width, config.NormEps, config.NormWeightPlusOne, dtype);
        mlp = new LlamaMlp(config, dtype);
        register_module("input_layernorm", inputNorm);
        register_module("self_attn", attn);
        register_module("post_attention_layernorm", postAttentionNorm);
        register_module("mlp", mlp);
    }

    public IEnumerable<Parameter> ResidualProjections => [attn.OutputWeight, mlp.OutputWeight];

    public Tensor Forward(Tensor x, AttentionContext context, int layer)
    {
        using var scope = torch.NewDisposeScope();
        x = x + attn.Forward(inputNorm.call(x), context, layer);
        x = x + mlp.call(postAttentionNorm.call(x));
        return x.MoveToOuterDisposeScope();
    }
}
