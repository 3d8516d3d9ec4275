using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// The CycleGAN losses. Adversarial terms are least-squares (LSGAN): the mean squared distance of the discriminator's
/// patch logits from 1 (real) or 0 (fake). Cycle-consistency and identity terms are L1 distances averaged over pixels
/// (the paper's ‖·‖₁ divided by the number of pixels, so the weights do not depend on the image size).
/// </summary>
public static class CycleGanLosses
{
    /// <summary>mean((logits − target)²) with target 1 when <paramref name="real"/>, else 0.</summary>
    public static Tensor LeastSquares(Tensor logits, bool real) =>
        real ? (logits - 1).square().mean() : logits.square().mean();

    /// <summary>Mean absolute difference: the cycle term ‖G_BA(G_AB(a)) − a‖₁ and the identity term ‖G_AB(b) − b‖₁, per pixel.</summary>
    public static Tensor MeanAbsolute(Tensor produced, Tensor target) => (produced - target).abs().mean();

    /// <summary>
    /// A discriminator's loss on a batch of real and (pooled, detached) fake images: ½ (LSGAN(real → 1) + LSGAN(fake → 0)).
    /// The paper halves it so the discriminator learns more slowly than the generator.
    /// </summary>
    public static Tensor Discriminator(Tensor realLogits, Tensor fakeLogits) =>
        0.5 * (LeastSquares(realLogits, real: true) + LeastSquares(fakeLogits, real: false));
}
