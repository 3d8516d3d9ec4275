using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>
/// Positions and attention masks for left-padded batches: a row's first real token gets position 0 whatever its
/// padding, and no real token attends to padding or to the future — so a padded row computes what it would alone.
/// </summary>
public static class CausalMasks
{
    /// <summary>Position ids [B, T] of the last <paramref name="count"/> tokens of a mask [B, S] (1 real, 0 padding).</summary>
    public static Tensor PositionIds(Tensor mask, long count)
    {
        using var scope = torch.NewDisposeScope();
        var positions = (mask.to(ScalarType.Int64).cumsum(1) - 1).clamp_min(0);
        return positions.narrow(1, mask.shape[1] - count, count).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Boolean mask [B, 1, T, S] for scaled-dot-product attention (true = may attend): query t (absolute position S − T + t)
    /// sees real keys at or before it. Every query also sees itself, so a padding query never has an empty row (its
    /// output is unused but stays finite).
    /// </summary>
    public static Tensor Attention(Tensor mask, long count, Device device)
    {
        using var scope = torch.NewDisposeScope();
        long total = mask.shape[1];
        var query = torch.arange(total - count, total, device: device).view(-1, 1);
        var key = torch.arange(total, device: device).view(1, -1);
        var causal = key.le(query);                                     // [T, S]
        var real = mask.to(device).to(ScalarType.Bool).unsqueeze(1);   // [B, 1, S]
        var allowed = causal.unsqueeze(0).logical_and(real).logical_or(key.eq(query).unsqueeze(0));
        return allowed.unsqueeze(1).MoveToOuterDisposeScope();
    }
}
