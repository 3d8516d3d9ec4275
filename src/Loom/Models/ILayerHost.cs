using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// A module whose affine layers (Linear, GPT-2's Conv1D) may be swapped for stand-ins computing the same map, such as
/// quantized layers: it calls them through fields that <see cref="ReplaceLayer"/> reassigns.
/// </summary>
public interface ILayerHost
{
    /// <summary>
    /// Makes <paramref name="layer"/> the child registered as <paramref name="name"/> (the same state-dict prefix) and the
    /// one forward calls; returns the layer it replaced, which the caller disposes.
    /// </summary>
    nn.Module<Tensor, Tensor> ReplaceLayer(string name, nn.Module<Tensor, Tensor> layer);
}
