using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// The exact log partition function log Z of an RBM by enumerating the smaller layer's 2ᴷ states (K ≤
/// <see cref="MaxEnumeratedUnits"/>), the other layer summed out analytically: over hidden states,
/// log Z = logsumexp_h [cᵀh + Σᵢ softplus(bᵢ + (Wh)ᵢ)] for binary visible units and
/// logsumexp_h [cᵀh + ½‖b + Wh‖² − ½‖b‖²] + (V/2) log 2π for Gaussian ones; over binary visible states,
/// log Z = logsumexp_v [−F(v)]. Computed in float64, in chunks of states.
/// </summary>
public static class RbmPartition
{
    /// <summary>The largest layer enumerated (2²⁰ states).</summary>
    public const int MaxEnumeratedUnits = 20;

    /// <summary>Whether the exact log Z is available: a layer it can enumerate (Gaussian visible units only integrate).</summary>
    public static bool CanEnumerate(RbmParameters rbm) =>
        rbm.HiddenUnits <= MaxEnumeratedUnits || (rbm.Visible == RbmVisible.Bernoulli && rbm.VisibleUnits <= MaxEnumeratedUnits);

    /// <summary>The exact log Z of <paramref name="rbm"/>; throws when no layer is small enough (<see cref="CanEnumerate"/>).</summary>
    public static double ExactLogZ(RbmParameters rbm)
    {
        if (!CanEnumerate(rbm))
            throw new LoomUsageException($"exact log Z enumerates a layer of at most {MaxEnumeratedUnits} units; this RBM has "
                + $"{rbm.VisibleUnits} visible and {rbm.HiddenUnits} hidden units (use annealed importance sampling)");
        using var scope = torch.NewDisposeScope();
        var p = rbm.Copy(ScalarType.Float64);
        bool overHidden = p.HiddenUnits <= MaxEnumeratedUnits
            && (p.Visible == RbmVisible.Gaussian || p.HiddenUnits <= p.VisibleUnits || p.VisibleUnits > MaxEnumeratedUnits);
        int units = (int)(overHidden ? p.HiddenUnits : p.VisibleUnits);
        var parts = new List<Tensor>();
        foreach (var states in BinaryStates(units))
            parts.Add(overHidden ? HiddenStateLogWeight(p, states) : -p.FreeEnergy(states));
        double logZ = torch.cat(parts).logsumexp(0).ToDouble();
        if (overHidden && p.Visible == RbmVisible.Gaussian)
            logZ += 0.5 * p.VisibleUnits * Math.Log(2 * Math.PI);
        return logZ;
    }

    /// <summary>log Σ_v exp(−E(v, h)) for each hidden state (without the Gaussian's (2π)^{V/2}). [n].</summary>
    private static Tensor HiddenStateLogWeight(RbmParameters p, Tensor h)
    {
        var input = p.VisibleInput(h);   // b + Wh
        var hidden = torch.mv(h, p.HiddenBias);
        return p.Visible == RbmVisible.Bernoulli
            ? hidden + torch.nn.functional.softplus(input).sum(1)
            : hidden + 0.5 * input.pow(2).sum(1) - 0.5 * p.VisibleBias.pow(2).sum();
    }

    /// <summary>All 2^<paramref name="units"/> binary vectors as float64 rows, in chunks of at most 2¹⁴.</summary>
    public static IEnumerable<Tensor> BinaryStates(int units)
    {
        long total = 1L << units;
        const long chunk = 1L << 14;
        var bits = torch.pow(2, torch.arange(units, dtype: ScalarType.Int64));
        for (long start = 0; start < total; start += chunk)
        {
            var codes = torch.arange(start, Math.Min(total, start + chunk), dtype: ScalarType.Int64);
            yield return codes.unsqueeze(1).bitwise_and(bits).ne(0).to(ScalarType.Float64);
        }
    }
}
