using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>Llama attention: q/k/v/o projections, rotary positions, grouped-query attention. Keys <c>q_proj … o_proj</c>.</summary>
public sealed class LlamaAttention : nn.Module
{
    private readonly Linear qProj, kProj, vProj, oProj;
    private readonly Dropout residDropout;
    private readonly int heads, kvHeads, headDim;
    private readonly double dropout;

    public LlamaAttention(TransformerConfig config) : base("self_attn")
    {
        heads = config.Heads;
        kvHeads = config.KvHeads;
        headDim = config.HeadDim;
        dropout = config.Dropout;
        qProj = nn.Linear(config.Width, heads * headDim, config.Bias);
        kProj = nn.Linear(config.Width, kvHeads * headDim, config.Bias);
        vProj = nn.Linear(config.Width, kvHeads * headDim, config.Bias);
        oProj = nn.Linear(heads * headDim, config.Width, config.Bias);
        residDropout = nn.Dropout(config.Dropout);
        register_module("q_proj", qProj);
        register_module("k_proj", kProj);
        register_module("v_proj", vProj);
        register_module("o_proj", oProj);
        register_module("resid_dropout", residDropout);
    }

    public Parameter OutputWeight => oProj.weight!;

    public Tensor Forward(Tensor x, AttentionContext context, int layer)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var q = qProj.forward(x).view(b, t, heads, headDim).transpose(1, 2);
        var k = kProj.forward(x).view(b, t, kvHeads, headDim).transpose(1, 2);
        var v = vProj.forward(x).view(b, t, kvHeads, headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, context.Cos!, context.Sin!);
        k = RotaryEmbedding.Apply(k, context.Cos!, context.Sin!);
        if (context.Cache is { } cache)
            (k, v) = cache.Append(layer, k, v);
        var y = ScaledAttention.Compute(q, k, v, context.Mask, context.Causal, training ? dropout : 0);
        y = y.transpose(1, 2).reshape(b, t, heads * headDim);
        return residDropout.forward(oProj.forward(y)).MoveToOuterDisposeScope();
    }
}

/// <summary>SwiGLU MLP: down_proj(silu(gate_proj(x)) · up_proj(x)).</summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gateProj, upProj, downProj;
    private readonly Dropout dropout;

    public LlamaMlp(TransformerConfig config) : base("mlp")
    {
        gateProj = nn.Linear(config.Width, config.MlpWidth, config.Bias);
        upProj = nn.Linear(config.Width, config.MlpWidth, config.Bias);
        downProj = nn.Linear(config.MlpWidth, config.Width, config.Bias);
        dropout = nn.Dropout(config.Dropout);
        register_module("gate_proj", gateProj);
        register_module("up_proj", upProj);
        register_module("down_proj", downProj);
        register_module("dropout", dropout);
    }

    public Parameter OutputWeight => downProj.weight!;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = nn.functional.silu(gateProj.forward(x)) * upProj.forward(x);
        return dropout.forward(downProj.forward(h)).MoveToOuterDisposeScope();
    }
}

/// <summary>A pre-norm Llama layer. Keys <c>input_layernorm, self_attn, post_attention_layernorm, mlp</c>.</summary>
public sealed class LlamaBlock : nn.Module, ITransformerBlock
{
    private readonly RmsNorm inputNorm, postAttentionNorm;
    private readonly LlamaAttention attn;
    private readonly LlamaMlp mlp;

    public LlamaBlock(TransformerConfig config) : base("layer")
    {
        inputNorm = new RmsNorm(config.Width, config.NormEps);
        attn = new LlamaAttention(config);
        postAttentionNorm = new RmsNorm(config.Width, config.NormEps);
        mlp = new LlamaMlp(config);
        register_module("input_layernorm", inputNorm);
        register_module("self_attn", attn);
        register_module("post_attention_layernorm", postAttentionNorm);
        register_module("mlp", mlp);
    }

    public IEnumerable<Parameter> ResidualProjections => [attn.OutputWeight, mlp.OutputWeight];

    public Tensor Forward(Tensor x, AttentionContext context, int layer)
    {
        using var scope = torch.NewDisposeScope();
        x = x + attn.Forward(inputNorm.forward(x), context, layer);
        x = x + mlp.forward(postAttentionNorm.forward(x));
        return x.MoveToOuterDisposeScope();
    }
}
