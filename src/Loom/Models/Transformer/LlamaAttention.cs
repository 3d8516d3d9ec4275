using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// Llama-family attention: q/k/v projections (separate, or Phi-3's fused <c>qkv_proj</c>, q rows then k then v), optional
/// per-head RMSNorm of queries and keys (Qwen3's <c>q_norm</c>, <c>k_norm</c>), rotary positions, grouped-query
/// attention, output projection <c>o_proj</c>.
/// </summary>
public sealed class LlamaAttention : nn.Module, ILayerHost
{
    private nn.Module<Tensor, Tensor>? qProj, kProj, vProj, qkvProj;
    private nn.Module<Tensor, Tensor> oProj;
    private readonly RmsNorm? qNorm, kNorm;
    private readonly Dropout residDropout;
    private readonly int heads, kvHeads, headDim;
    private readonly double dropout;

    public LlamaAttention(TransformerConfig config, ScalarType dtype = ScalarType.Float32) : base("self_attn")
    {
        heads = config.Heads;
        kvHeads = config.KvHeads;
        headDim = config.HeadDim;
        dropout = config.Dropout;
        bool inputBias = config.Bias || config.QkvBias;
        if (config.FusedProjections)
        {
            qkvProj = nn.Linear(config.Width, (heads + 2 * kvHeads) * headDim, inputBias, dtype: dtype);
            register_module("qkv_proj", qkvProj);
        }
        else
        {
            qProj = nn.Linear(config.Width, heads * headDim, inputBias, dtype: dtype);
            kProj = nn.Linear(config.Width, kvHeads * headDim, inputBias, dtype: dtype);
            vProj = nn.Linear(config.Width, kvHeads * headDim, inputBias, dtype: dtype);
            register_module("q_proj", qProj);
            register_module("k_proj", kProj);
            register_module("v_proj", vProj);
        }
        oProj = nn.Linear(heads * headDim, config.Width, config.Bias, dtype: dtype);
        register_module("o_proj", oProj);
        if (config.QkNorm)
        {
            qNorm = new RmsNorm(headDim, config.NormEps, config.NormWeightPlusOne, dtype);
            kNorm = new RmsNorm(headDim, config.NormEps, config.NormWeightPlusOne, dtype);
            register_module("q_norm", qNorm);
            register_module("k_norm", kNorm);
        }
        residDropout = nn.Dropout(config.Dropout);
        register_module("resid_dropout", residDropout);
    }

    /// <summary>The output projection's weight as built (before <see cref="ReplaceLayer"/> swaps the layer).</summary>
    public Parameter OutputWeight => ((Linear)oProj).weight!;

    public nn.Module<Tensor, Tensor> ReplaceLayer(string name, nn.Module<Tensor, Tensor> layer)
    {
        var old = name switch
        {
            "q_proj" => qProj,
            "k_proj" => kProj,
            "v_proj" => vProj,
            "qkv_proj" => qkvProj,
            "o_proj" => oProj,
            _ => null,
        } ?? throw new ArgumentException($"this attention has no layer '{name}'", nameof(name));
        ModuleTree.ReplaceChild(this, name, old, layer);
        switch (name)
        {
            case "q_proj": qProj = layer; break;
            case "k_proj": kProj = layer; break;
            case "v_proj": vProj = layer; break;
            case "qkv_proj": qkvProj = layer; break;
            default: oProj = layer; break;
        }
        return old;
    }

    public Tensor Forward(Tensor x, AttentionContext context, int layer)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var (q, k, v) = Project(x);
        q = q.view(b, t, heads, headDim);
        k = k.view(b, t, kvHeads, headDim);
        if (qNorm is not null)
        {
            q = qNorm.call(q);
            k = kNorm!.call(k);
        }
        q = RotaryEmbedding.Apply(q.transpose(1, 2), context.Cos!, context.Sin!);
        k = RotaryEmbedding.Apply(k.transpose(1, 2), context.Cos!, context.Sin!);
        v = v.view(b, t, kvHeads, headDim).transpose(1, 2);
        if (context.Cache is { } cache)
            (k, v) = cache.Append(layer, k, v);
        var y = ScaledAttention.Compute(q, k, v, context.Mask, context.Causal, training ? dropout : 0);
        y = y.transpose(1, 2).reshape(b, t, heads * headDim);
        y = oProj.call(y);
        return (training ? residDropout.call(y) : y).MoveToOuterDisposeScope();
    }

    /// <summary>Queries [B, T, H·hd], keys and values [B, T, KV·hd].</summary>
    private (Tensor Q, Tensor K, Tensor V) Project(Tensor x)
    {
        if (qkvProj is null)
            return (qProj!.call(x), kProj!.call(x), vProj!.call(x));
        var qkv = qkvProj.call(x);
        long queryWidth = heads * headDim, keyWidth = kvHeads * headDim;
        return (qkv.narrow(-1, 0, queryWidth), qkv.narrow(-1, queryWidth, keyWidth), qkv.narrow(-1, queryWidth + keyWidth, keyWidth));
    }
}
