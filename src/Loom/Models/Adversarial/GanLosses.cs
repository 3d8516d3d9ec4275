using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>The adversarial objective a GAN is trained with.</summary>
public enum GanLossKind
{
    /// <summary>Goodfellow et al.'s cross-entropy game with the generator's non-saturating loss.</summary>
    NonSaturating,
    /// <summary>Wasserstein critic (Arjovsky et al.), made Lipschitz by the gradient penalty (Gulrajani et al.).</summary>
    Wasserstein,
    /// <summary>Hinge loss (Lim &amp; Ye; used by SNGAN, SAGAN, BigGAN).</summary>
    Hinge,
}

/// <summary>
/// GAN losses on raw discriminator outputs ("scores"; logits for the non-saturating loss), each averaged over the
/// batch. D minimises <see cref="Discriminator"/>, G minimises <see cref="Generator"/>:
/// non-saturating D = softplus(−s_real) + softplus(s_fake), G = softplus(−s_fake);
/// Wasserstein D = s_fake − s_real, G = −s_fake; hinge D = relu(1 − s_real) + relu(1 + s_fake), G = −s_fake.
/// </summary>
public static class GanLosses
{
    /// <summary>Canonical names: non-saturating, wgan-gp, hinge.</summary>
    public static IReadOnlyList<string> Names { get; } = ["non-saturating", "wgan-gp", "hinge"];

    public static GanLossKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "non-saturating" or "nonsaturating" or "ns" or "bce" => GanLossKind.NonSaturating,
        "wgan-gp" or "wgan" or "wasserstein" => GanLossKind.Wasserstein,
        "hinge" => GanLossKind.Hinge,
        _ => throw LoomUsageException.ForOption("Loss", $"'{text}' is not a GAN loss; use {string.Join(", ", Names)}"),
    };

    public static string Name(GanLossKind kind) => kind switch
    {
        GanLossKind.NonSaturating => "non-saturating",
        GanLossKind.Wasserstein => "wgan-gp",
        _ => "hinge",
    };

    /// <summary>The discriminator's (critic's) loss for scores of a real and a fake batch.</summary>
    public static Tensor Discriminator(GanLossKind kind, Tensor realScores, Tensor fakeScores) => kind switch
    {
        GanLossKind.NonSaturating => nn.functional.softplus(-realScores).mean() + nn.functional.softplus(fakeScores).mean(),
        GanLossKind.Wasserstein => fakeScores.mean() - realScores.mean(),
        _ => nn.functional.relu(1 - realScores).mean() + nn.functional.relu(1 + fakeScores).mean(),
    };

    /// <summary>The generator's loss for the discriminator's scores of its samples.</summary>
    public static Tensor Generator(GanLossKind kind, Tensor fakeScores) => kind switch
    {
        GanLossKind.NonSaturating => nn.functional.softplus(-fakeScores).mean(),
        _ => -fakeScores.mean(),
    };

    /// <summary>
    /// WGAN-GP's penalty mean((‖∇ₓ D(x̂)‖₂ − 1)²) at x̂ = α·real + (1 − α)·fake, α ~ U(0, 1) per example (or
    /// <paramref name="mix"/> [n] when given). Differentiable in the critic's parameters (double backpropagation).
    /// </summary>
    public static Tensor GradientPenalty(GanDiscriminator critic, Tensor real, Tensor fake, Tensor? labels, Tensor? mix = null)
    {
        long n = real.shape[0];
        var alpha = (mix ?? torch.rand(n, dtype: real.dtype, device: real.device)).to(real.dtype).to(real.device)
            .reshape([n, .. Enumerable.Repeat(1L, (int)real.dim() - 1)]);
        var interpolated = (alpha * real.detach() + (1 - alpha) * fake.detach()).detach();
        var norms = InputGradientNorms(critic, interpolated, labels, createGraph: true);
        return (norms - 1).square().mean();
    }

    /// <summary>‖∇ₓ D(x)‖₂ for each example of <paramref name="x"/> ([n]); <paramref name="createGraph"/> keeps the graph for a
    /// penalty.</summary>
    public static Tensor InputGradientNorms(GanDiscriminator critic, Tensor x, Tensor? labels, bool createGraph)
    {
        var input = x.detach().requires_grad_(true);
        var scores = critic.Score(input, labels);
        var gradient = torch.autograd.grad([scores.sum()], [input], retain_graph: createGraph, create_graph: createGraph)[0];
        // The tiny constant keeps the square root differentiable where a gradient is exactly zero.
        return (gradient.flatten(1).square().sum(1) + 1e-12).sqrt();
    }
}
