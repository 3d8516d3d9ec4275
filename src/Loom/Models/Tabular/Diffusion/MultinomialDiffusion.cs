using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Diffusion;

/// <summary>
/// Multinomial diffusion (Hoogeboom et al. 2021) on one categorical block of K classes, in probabilities. A step keeps the class
/// with probability αₜ and otherwise redraws it uniformly: q(xₜ | xₜ₋₁) = Cat(αₜ xₜ₋₁ + (1 − αₜ)/K), so
/// q(xₜ | x₀) = Cat(ᾱₜ x₀ + (1 − ᾱₜ)/K), and Bayes' rule gives the posterior
/// q(xₜ₋₁ | xₜ, x₀) ∝ (αₜ xₜ + (1 − αₜ)/K) ⊙ (ᾱₜ₋₁ x₀ + (1 − ᾱₜ₋₁)/K), with ᾱ₋₁ = 1 at the first step. The model's
/// p(xₜ₋₁ | xₜ) is that posterior with x₀ replaced by the denoiser's softmax. Coefficients are [n, 1] tensors (one per row).
/// </summary>
public static class MultinomialDiffusion
{
    private const double Tiny = 1e-30;

    /// <summary>q(xₜ | x₀) for one-hot (or probability) rows <paramref name="x0"/> [n, K].</summary>
    public static Tensor Forward(Tensor x0, Tensor alphaBar) => alphaBar * x0 + (1 - alphaBar) / x0.shape[1];

    /// <summary>q(xₜ₋₁ | xₜ, x₀) [n, K]: <paramref name="alpha"/> is αₜ, <paramref name="alphaBarPrevious"/> ᾱₜ₋₁ (1 at t = 0).</summary>
    public static Tensor Posterior(Tensor xt, Tensor x0, Tensor alpha, Tensor alphaBarPrevious)
    {
        long k = xt.shape[1];
        var unnormalised = (alpha * xt + (1 - alpha) / k) * Forward(x0, alphaBarPrevious);
        return unnormalised / unnormalised.sum(1, keepdim: true);
    }

    /// <summary>KL(q ‖ p) of each row [n] (0·log 0 = 0).</summary>
    public static Tensor Kl(Tensor q, Tensor p) => (q * (q.clamp_min(Tiny).log() - p.clamp_min(Tiny).log())).sum(1);

    /// <summary>One class per row drawn from probabilities [n, K], as one-hot rows (Gumbel-max).</summary>
    public static Tensor Draw(Tensor probabilities, Generator? generator)
    {
        var u = torch.rand(probabilities.shape, probabilities.dtype, probabilities.device, generator: generator).clamp(1e-10, 1 - 1e-10);
        var choice = (probabilities.clamp_min(Tiny).log() - (-u.log()).log()).argmax(1);
        return nn.functional.one_hot(choice, probabilities.shape[1]).to(probabilities.dtype);
    }
}
