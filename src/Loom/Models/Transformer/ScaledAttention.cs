using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// libtorch's fused scaled-dot-product attention, wrapped for what TorchSharp 0.107 does not expose: a custom softmax
/// scale (folded into the queries) and grouped-query attention (each key/value head serves Heads / KvHeads query heads,
/// head j using key/value head j / (Heads / KvHeads), as HF's repeat_kv does). Half-precision attention that autograd will
/// differentiate runs in float32 on the CPU (<see cref="ComputesInFloat32"/>).
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
        var dtype = q.dtype;
        if (ComputesInFloat32(q))
            (q, k, v) = (q.to(ScalarType.Float32), k.to(ScalarType.Float32), v.to(ScalarType.Float32));
        var output = nn.functional.scaled_dot_product_attention(q, k, v, mask, dropout, is_casual: mask is null && causal);
        return output.to(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Whether attention over <paramref name="q"/> computes in float32: bfloat16 or float16 queries on the CPU that autograd
    /// tracks (a training step). libtorch's CPU attention with its backward ran 5× slower in bfloat16 than in float32 here
    /// (7.3 against 1.4 ms for 12×4×64×32; 24 of the 41 ms of a bfloat16 step of the 4×128 char model); in float32 it is also
    /// exact to float32 rounding before the output is rounded back. Inference keeps the cache's dtype (no conversion per step).
    /// </summary>
    public static bool ComputesInFloat32(Tensor q) =>
        q.device_type == DeviceType.CPU && q.dtype is ScalarType.BFloat16 or ScalarType.Float16 && q.requires_grad;

    /// <summary>[B, KV, S, hd] → [B, KV·rep, S, hd], each head repeated <paramref name="rep"/> times in place.</summary>
    public static Tensor RepeatHeads(Tensor x, long rep)
    {
        long b = x.shape[0], kv = x.shape[1], s = x.shape[2], d = x.shape[3];
        return x.unsqueeze(2).expand(b, kv, rep, s, d).reshape(b, kv * rep, s, d);
    }
}
