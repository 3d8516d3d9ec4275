using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>What every layer of one forward pass shares: the attention mask, the cache, and rotary angles (Llama).</summary>
/// <param name="Mask">Boolean [B, 1, T, S] (true = may attend), or null for plain causal attention.</param>
/// <param name="Cache">Keys/values of earlier tokens, appended to by each layer; null when not decoding.</param>
public sealed record AttentionContext(Tensor? Mask, KvCache? Cache, Tensor? Cos = null, Tensor? Sin = null)
{
    /// <summary>Causal masking by the fused kernel: no explicit mask and no earlier tokens.</summary>
    public bool Causal => Mask is null && (Cache is null || Cache.Length == 0);
}
