using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>GPT-2 attention: fused QKV projection (<c>c_attn</c>), output projection (<c>c_proj</c>), dropouts.</summary>
public sealed class Gpt2Attention : nn.Module, ILayerHost
{
    private nn.Module<Tensor, Tensor> cAttn, cProj;
    private readonly Dropout residDropout;
    private readonly int heads;
    private readonly double dropout;

    public Gpt2Attention(TransformerConfig config, ScalarType dtype = ScalarType.Float32) : base("attn")
    {
        heads = config.Heads;
        dropout = config.Dropout;
        cAttn = new Conv1D(config.Width, 3 * config.Width, config.Bias, dtype);
        cProj = new Conv1D(config.Width, config.Width, config.Bias, dtype);
        residDropout = nn.Dropout(config.Dropout);
        register_module("c_attn", cAttn);
        register_module("c_proj", cProj);
        register_module("resid_dropout", residDropout);
    }

    /// <summary>The output projection as built (a Conv1D until <see cref="ReplaceLayer"/> swaps it).</summary>
    public Conv1D OutputProjection => (Conv1D)cProj;

    /// <summary>The fused QKV projection as it is now (an adapter or quantized layer once swapped).</summary>
    internal nn.Module<Tensor, Tensor> QkvLayer => cAttn;

    /// <summary>The output projection as it is now.</summary>
    internal nn.Module<Tensor, Tensor> OutputLayer => cProj;

    /// <summary>Query heads.</summary>
    internal int Heads => heads;

    public nn.Module<Tensor, Tensor> ReplaceLayer(string name, nn.Module<Tensor, Tensor> layer)
    {
        var old = name switch
        {
            "c_attn" => cAttn,
            "c_proj" => cProj,
            _ => throw new ArgumentException($"GPT-2 attention has no layer '{name}'", nameof(name)),
        };
        ModuleTree.ReplaceChild(this, name, old, layer);
        if (name == "c_attn") cAttn = layer;
        else cProj = layer;
        return old;
    }

    public Tensor Forward(Tensor x, AttentionContext context, int layer)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], c = x.shape[2];
        // [B, T, 3C] → three [B, H, T, hd] views in three ops (a split and a view and transpose per part take seven).
        var qkv = cAttn.call(x).view(b, t, 3, heads, c / heads).permute(2, 0, 3, 1, 4).unbind(0);
        Tensor q = qkv[0], k = qkv[1], v = qkv[2];
        if (context.Cache is { } cache)
            (k, v) = cache.Append(layer, k, v);
        var y = ScaledAttention.Compute(q, k, v, context.Mask, context.Causal, training ? dropout : 0);
        y = y.transpose(1, 2).reshape(b, t, c);
        y = cProj.call(y);
        return (training ? residDropout.call(y) : y).MoveToOuterDisposeScope();
    }
}

/// <summary>GPT-2 MLP: <c>c_fc</c> → GELU (tanh approximation, HF's gelu_new) → <c>c_proj</c> → dropout.</summary>
public sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>, ILayerHost
{
    private nn.Module<Tensor, Tensor> cFc, cProj;
    private readonly Dropout dropout;
    private readonly bool exactGelu;

    public Gpt2Mlp(TransformerConfig config, ScalarType dtype = ScalarType.Float32) : base("mlp")
    {
        exactGelu = config.ExactGelu;
        cFc = new Conv1D(config.Width, config.MlpWidth, config.Bias, dtype);
        cProj = new Conv1D(config.MlpWidth, config.Width, config.Bias, dtype);
        dropout = nn.Dropout(config.Dropout);
        register_module("c_fc", cFc);
        register_module("c_proj", cProj);
        register_module("dropout", dropout);
    }

    /// <summary>The output projection as built (a Conv1D until <see cref="ReplaceLayer"/> swaps it).</summary>
    public Conv1D OutputProjection => (Conv1D)cProj;

    /// <summary>The expanding projection as it is now (an adapter or quantized layer once swapped).</summary>
    internal nn.Module<Tensor, Tensor> ExpandLayer => cFc;

    /// <summary>The output projection as it is now.</summary>
    internal nn.Module<Tensor, Tensor> OutputLayer => cProj;

    /// <summary>Whether the activation is the exact (erf) GELU rather than the tanh approximation.</summary>
    internal bool ExactGelu => exactGelu;

    public nn.Module<Tensor, Tensor> ReplaceLayer(string name, nn.Module<Tensor, Tensor> layer)
    {
        var old = name switch
        {
            "c_fc" => cFc,
            "c_proj" => cProj,
            _ => throw new ArgumentException($"GPT-2 MLP has no layer '{name}'", nameof(name)),
        };
        ModuleTree.ReplaceChild(this, name, old, layer);
        if (name == "c_fc") cFc = layer;
        else cProj = layer;
        return old;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = nn.functional.gelu(cFc.call(x), exactGelu ? GELU.Approximate.none : GELU.Approximate.tanh);
        var y = cProj.call(h);
        return (training ? dropout.call(y) : y).MoveToOuterDisposeScope();
    }
}

/// <summary>A pre-norm GPT-2 block: x + attn(ln_1(x)), then + mlp(ln_2(x)). Keys <c>ln_1, attn, ln_2, mlp</c>.</summary>
public sealed class Gpt2Block : nn.Module, ITransformerBlock
{
    private readonly LayerNorm ln1, ln2;
    private readonly Gpt2Attention attn;
    private readonly Gpt2Mlp mlp;

    public Gpt2Block(TransformerConfig config, ScalarType dtype = ScalarType.Float32) : base("block")
    {
        ln1 = nn.LayerNorm(config.Width, config.NormEps, bias: config.Bias, dtype: dtype);
        attn = new Gpt2Attention(config, dtype);
        ln2 = nn.LayerNorm(config.Width, config.NormEps, bias: config.Bias, dtype: dtype);
        mlp = new Gpt2Mlp(config, dtype);
        register_module("ln_1", ln1);
        register_module("attn", attn);
        register_module("ln_2", ln2);
        register_module("mlp", mlp);
    }

    public IEnumerable<Parameter> ResidualProjections => [attn.OutputProjection.Weight, mlp.OutputProjection.Weight];

    internal LayerNorm Norm1 => ln1;
    internal LayerNorm Norm2 => ln2;
    internal Gpt2Attention Attention => attn;
    internal Gpt2Mlp Mlp => mlp;

    public Tensor Forward(Tensor x, AttentionContext context, int layer)
    {
        using var scope = torch.NewDisposeScope();
        x = x + attn.Forward(ln1.call(x), context, layer);
        x = x + mlp.call(ln2.call(x));
        return x.MoveToOuterDisposeScope();
    }
}

/// <summary>A transformer layer as <see cref="DecoderTransformer"/> drives it.</summary>
public interface ITransformerBlock
{
    Tensor Forward(Tensor x, AttentionContext context, int layer);

    /// <summary>Weights of the projections that write into the residual stream (GPT-2 scales their init by 1/√(2·layers)).</summary>
    IEnumerable<Parameter> ResidualProjections { get; }
}
