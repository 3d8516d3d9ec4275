using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Mixture;

/// <summary>
/// A full-covariance Gaussian mixture as a differentiable module, for fitting by minibatch gradient descent with the
/// shared trainer (data too large for EM passes, or a density inside a bigger model). Unconstrained parameters:
/// mixing logits, means, and an upper-triangular precision factor U with exp-parameterised diagonal (P = U Uᵀ).
/// </summary>
public sealed class MixtureDensityModule : nn.Module
{
    private readonly Parameter logits;
    private readonly Parameter means;
    private readonly Parameter factorRaw;

    public MixtureDensityModule(GaussianMixture start) : base("mixture_density")
    {
        if (start.CovarianceType != CovarianceType.Full)
            throw Core.LoomUsageException.ForOption("Covariance", "SGD fits full covariances; use full");
        using var scope = torch.NewDisposeScope();
        var u = start.PrecisionsCholesky;
        var raw = u.triu(1) + torch.diag_embed(u.diagonal(dim1: 1, dim2: 2).log());
        logits = new Parameter(start.Weights.log().to(ScalarType.Float64).detach().clone().MoveToOuterDisposeScope());
        means = new Parameter(start.Means.detach().clone().MoveToOuterDisposeScope());
        factorRaw = new Parameter(raw.detach().clone().MoveToOuterDisposeScope());
        register_parameter("logits", logits);
        register_parameter("means", means);
        register_parameter("factor_raw", factorRaw);
    }

    /// <summary>The parameters by name, as <c>named_parameters()</c> gives them (trainer state: <c>model.NAME</c>).</summary>
    public IReadOnlyDictionary<string, Parameter> Named =>
        new Dictionary<string, Parameter> { ["logits"] = logits, ["means"] = means, ["factor_raw"] = factorRaw };

    private Tensor Factor() => factorRaw.triu(1) + torch.diag_embed(factorRaw.diagonal(dim1: 1, dim2: 2).exp());

    /// <summary>log p(x_i) per sample: [n].</summary>
    public Tensor LogProb(Tensor x) =>
        (GaussianMath.LogGaussianProb(x, means, Factor(), CovarianceType.Full) + torch.nn.functional.log_softmax(logits, 0)).logsumexp(1);

    /// <summary>The current parameters as an ordinary <see cref="GaussianMixture"/> (copies).</summary>
    public GaussianMixture ToGaussianMixture(MixtureFitInfo info)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        return new GaussianMixture(torch.softmax(logits, 0).MoveToOuterDisposeScope(), means.detach().clone().MoveToOuterDisposeScope(),
            Factor().detach().clone().MoveToOuterDisposeScope(), CovarianceType.Full, info);
    }
}
