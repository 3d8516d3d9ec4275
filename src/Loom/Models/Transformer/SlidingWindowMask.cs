using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// Sliding-window attention (Mistral, Phi-3): a query in cache slot q may see a key in slot k only when q − k &lt; window,
/// i.e. itself and the window − 1 slots before it, as HF's sliding-window causal mask does. Keys stay in the cache; the
/// mask hides the old ones.
/// </summary>
public static class SlidingWindowMask
{
    /// <summary>
    /// Narrows a boolean mask [B, 1, T, S] (true = may attend) whose T queries are the last T of the S slots.
    /// </summary>
    public static Tensor Restrict(Tensor mask, int window)
    {
        using var scope = torch.NewDisposeScope();
        long t = mask.shape[2], s = mask.shape[3];
        var query = torch.arange(s - t, s, device: mask.device).view(-1, 1);
        var key = torch.arange(s, device: mask.device).view(1, -1);
        var inWindow = (query - key).lt(window);   // [T, S]
        return mask.logical_and(inWindow).MoveToOuterDisposeScope();
    }
}
