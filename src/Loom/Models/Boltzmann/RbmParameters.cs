using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// The weights of a restricted Boltzmann machine — <paramref name="Weight"/> [V, H], <paramref name="VisibleBias"/> b [V],
/// <paramref name="HiddenBias"/> c [H] — and the conditionals and free energy they define. Energy
/// E(v, h) = −bᵀv − cᵀh − vᵀWh for binary visible units, ½‖v − b‖² − cᵀh − vᵀWh for unit-variance Gaussian ones; hidden
/// units are binary. A view: it does not own the tensors.
/// </summary>
public sealed record RbmParameters(Tensor Weight, Tensor VisibleBias, Tensor HiddenBias, RbmVisible Visible)
{
    /// <summary>Visible units V.</summary>
    public long VisibleUnits => Weight.shape[0];

    /// <summary>Hidden units H.</summary>
    public long HiddenUnits => Weight.shape[1];

    /// <summary>
    /// F(v) = −log Σₕ exp(−E(v, h)) for each row of <paramref name="v"/> [n, V]: −bᵀv − Σⱼ softplus(cⱼ + vᵀW₋ⱼ)
    /// (Bernoulli) or ½‖v − b‖² − Σⱼ softplus(cⱼ + vᵀW₋ⱼ) (Gaussian). [n].
    /// </summary>
    public Tensor FreeEnergy(Tensor v)
    {
        using var scope = torch.NewDisposeScope();
        var hiddenTerm = nn.functional.softplus(HiddenInput(v)).sum(1);
        var visibleTerm = VisibleTerm(v, VisibleBias);
        return (-visibleTerm - hiddenTerm).MoveToOuterDisposeScope();
    }

    /// <summary>The log of the visible part of exp(−E): bᵀv (Bernoulli) or −½‖v − b‖² (Gaussian), per row. [n].</summary>
    public Tensor VisibleTerm(Tensor v, Tensor bias) => Visible == RbmVisible.Bernoulli
        ? torch.mv(v, bias)
        : -0.5 * (v - bias).pow(2).sum(1);

    /// <summary>c + vW: the hidden units' input. [n, H].</summary>
    public Tensor HiddenInput(Tensor v) => torch.matmul(v, Weight) + HiddenBias;

    /// <summary>b + hWᵀ: the visible units' input (the mean of Gaussian ones). [n, V].</summary>
    public Tensor VisibleInput(Tensor h) => torch.matmul(h, Weight.t()) + VisibleBias;

    /// <summary>p(hⱼ = 1 | v) = σ(cⱼ + vᵀW₋ⱼ). [n, H].</summary>
    public Tensor HiddenProbabilities(Tensor v) => torch.sigmoid(HiddenInput(v));

    /// <summary>E[v | h]: σ(b + Wh) for Bernoulli units, b + Wh for Gaussian ones. [n, V].</summary>
    public Tensor VisibleMean(Tensor h) => Visible == RbmVisible.Bernoulli ? torch.sigmoid(VisibleInput(h)) : VisibleInput(h);

    /// <summary>
    /// h ~ p(h | v); <paramref name="generator"/> null draws from the global generator (a training run's, saved on resume).
    /// </summary>
    public Tensor SampleHidden(Tensor v, Generator? generator = null)
    {
        using var p = HiddenProbabilities(v);
        return torch.bernoulli(p, generator: generator);
    }

    /// <summary>v ~ p(v | h).</summary>
    public Tensor SampleVisible(Tensor h, Generator? generator = null)
    {
        using var scope = torch.NewDisposeScope();
        var mean = VisibleMean(h);
        var v = Visible == RbmVisible.Bernoulli
            ? torch.bernoulli(mean, generator: generator)
            : mean + torch.randn(mean.shape, dtype: mean.dtype, device: mean.device, generator: generator);
        return v.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="steps"/> rounds of block Gibbs sampling from <paramref name="v"/> (h ~ p(h|v), then v ~ p(v|h)):
    /// the last visible sample and the mean E[v | h] it was drawn from.
    /// </summary>
    public (Tensor Sample, Tensor Mean) Gibbs(Tensor v, int steps, Generator? generator = null)
    {
        using var scope = torch.NewDisposeScope();
        var current = v;
        var mean = v;
        for (int s = 0; s < steps; s++)
        {
            using var inner = torch.NewDisposeScope();
            var h = SampleHidden(current, generator);
            mean = VisibleMean(h);
            current = Visible == RbmVisible.Bernoulli
                ? torch.bernoulli(mean, generator: generator)
                : mean + torch.randn(mean.shape, dtype: mean.dtype, device: mean.device, generator: generator);
            inner.MoveToOuter(current, mean);
        }
        return (current.MoveToOuterDisposeScope(), mean.MoveToOuterDisposeScope());
    }

    /// <summary>Detached copies in <paramref name="dtype"/> (e.g. float64 for partition functions); the caller disposes them.</summary>
    public RbmParameters Copy(ScalarType dtype) => new(
        Weight.detach().to(dtype).clone(), VisibleBias.detach().to(dtype).clone(), HiddenBias.detach().to(dtype).clone(), Visible);

    /// <summary>Disposes the tensors (only for copies this record owns).</summary>
    public void DisposeTensors()
    {
        Weight.Dispose();
        VisibleBias.Dispose();
        HiddenBias.Dispose();
    }
}
