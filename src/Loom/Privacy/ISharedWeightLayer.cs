using static TorchSharp.torch;

namespace Loom.Privacy;

/// <summary>
/// A layer that owns no parameters but applies another layer's weight as a bias-free linear map, y = x Wᵀ (a language
/// model's output head tied to its token embedding). <see cref="PerSampleGradients"/> hooks it and adds its per-example
/// gradients to those of the owner's weight, so the clipped norm covers both uses.
/// </summary>
public interface ISharedWeightLayer
{
    /// <summary>The layer that owns the weight and the weight's name there (e.g. an embedding and <c>weight</c>).</summary>
    (nn.Module Owner, string Name) SharedWeight { get; }
}
