using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// libtorch's fused scaled-dot-product attention, wrapped for what TorchSharp 0.107 does not expose: a custom softmax
/// scale (folded into the queries) and grouped-query attention (each key/value head serves Heads / KvHeads query heads,
/// head j using key/value head j / (Heads / KvHeads), as HF's repeat_kv does).
/// </summary>
public static class ScaledAttention
{
    /// <param name="q">[B, H, T, hd]</param>
    /// <param name="k">[B, KV, S, hd]</param>
    /// <param name="v">[B, KV, S, hd]</param>
    /// <param name="mask">Boolean [B, 1, T, S] (true = may attend) or null.</param>
    /// <param name="causal">Apply the causal mask (only when <paramref name="mask"/> is null and T == S).</param>
    /// <param name="dropout">Attention dropout probability (0 in evaluation).</param>
    /// <param name="scale">Softmax scale; null = 1/√hd.</param>
    public static Tensor Compute(Tensor q, Tensor k, Tensor v, Tensor? mask, bool causal, double dropout = 0, double? scale = null)
    {
        using var scope = torch.NewDisposeScope();
        long heads = q.shape[1], kvHeads = k.shape[1];
        if (heads != kvHeads)
        {
            k = RepeatHeads(k, heads / kvHeads);
            v = RepeatHeads(v, heads / kvHeads);
        }
        if (scale is { } s)
            q = q * (s * Math.Sqrt(q.shape[3]));
        var output = nn.functional.scaled_dot_product_attention(q, k, v, mask, dropout, is_casual: mask is null && causal);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>[B, KV, S, hd] → [B, KV·rep, S, hd], each head repeated <paramref name="rep"/> times in place.</summary>
    public static Tensor RepeatHeads(Tensor x, long rep)
    {
        long b = x.shape[0], kv = x.shape[1], s = x.shape[2], d = x.shape[3];
        return x.unsqueeze(2).expand(b, kv, rep, s, d).reshape(b, kv * rep, s, d);
    }
}
