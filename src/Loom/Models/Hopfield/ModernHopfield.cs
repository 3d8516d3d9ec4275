using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hopfield;

/// <summary>
/// The modern continuous Hopfield network (Ramsauer et al. 2020, "Hopfield Networks is All You Need"): stored patterns
/// X = [x₁ … x_P] (rows [P, N] here), state ξ ∈ ℝᴺ, energy E(ξ) = −β⁻¹ log Σ_μ exp(β x_μᵀξ) + ½ξᵀξ + const, and the
/// update ξ ← X softmax(β Xᵀξ) — the attention step. With well-separated patterns one update lands next to the pattern
/// nearest the query (exponentially many patterns can be stored). Float64.
/// </summary>
public sealed class ModernHopfield(Tensor patterns, double beta) : IDisposable
{
    /// <summary>The stored patterns [P, N].</summary>
    public Tensor Patterns { get; } = patterns.to(ScalarType.Float64).clone();

    /// <summary>Inverse temperature β: large β retrieves single patterns, small β averages them (metastable states).</summary>
    public double Beta { get; } = beta;

    /// <summary>One update of every row of <paramref name="states"/> [n, N]: ξ ← X softmax(β Xᵀξ). [n, N].</summary>
    public Tensor Update(Tensor states)
    {
        using var scope = torch.NewDisposeScope();
        var xi = states.to(ScalarType.Float64);
        var attention = torch.softmax(Beta * torch.matmul(xi, Patterns.t()), 1);
        return torch.matmul(attention, Patterns).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="updates"/> updates from <paramref name="queries"/>.</summary>
    public Tensor Retrieve(Tensor queries, int updates = 1)
    {
        var state = queries.to(ScalarType.Float64).clone();
        for (int u = 0; u < updates; u++)
        {
            var next = Update(state);
            state.Dispose();
            state = next;
        }
        return state;
    }

    /// <summary>E(ξ) = −β⁻¹ log Σ_μ exp(β x_μᵀξ) + ½ξᵀξ for each row of <paramref name="states"/>. [n].</summary>
    public Tensor Energy(Tensor states)
    {
        using var scope = torch.NewDisposeScope();
        var xi = states.to(ScalarType.Float64);
        var lse = torch.logsumexp(Beta * torch.matmul(xi, Patterns.t()), 1) / Beta;
        return (-lse + 0.5 * xi.pow(2).sum(1)).MoveToOuterDisposeScope();
    }

    public void Dispose() => Patterns.Dispose();
}
