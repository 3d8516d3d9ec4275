using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hopfield;

/// <summary>
/// The classical binary Hopfield network (Hopfield 1982): states s ∈ {−1, +1}ᴺ, symmetric weights W with a zero diagonal,
/// no thresholds, energy E(s) = −½ sᵀWs. Asynchronous updates set one unit at a time to sign(Wᵢs) (keeping it when
/// Wᵢs = 0), in a random order each sweep, so E never rises and retrieval stops at a fixed point. Float64.
/// </summary>
public sealed class ClassicalHopfield : IDisposable
{
    private ClassicalHopfield(Tensor weights) => Weights = weights;

    /// <summary>W [N, N].</summary>
    public Tensor Weights { get; }

    /// <summary>Units N.</summary>
    public long Units => Weights.shape[0];

    /// <summary>Stores ±1 <paramref name="patterns"/> [P, N] with <paramref name="rule"/>.</summary>
    public static ClassicalHopfield Store(Tensor patterns, HopfieldRule rule)
    {
        HopfieldPatterns.Check(patterns, "patterns");
        using var scope = torch.NewDisposeScope();
        var x = patterns.to(ScalarType.Float64);
        long n = x.shape[1];
        Tensor w;
        if (rule == HopfieldRule.Hebbian)
            w = torch.matmul(x.t(), x) / n;
        else
        {
            // W = Ξ (ΞᵀΞ)⁺ Ξᵀ with Ξ = patterns as columns: the projection onto their span.
            var gram = torch.matmul(x, x.t());
            w = torch.matmul(torch.matmul(x.t(), torch.linalg.pinv(gram, hermitian: true)), x);
        }
        w = w * (1 - torch.eye(n, dtype: ScalarType.Float64));
        return new ClassicalHopfield(w.MoveToOuterDisposeScope());
    }

    /// <summary>E(s) = −½ sᵀWs for each row of <paramref name="states"/> [n, N]. [n].</summary>
    public Tensor Energy(Tensor states)
    {
        using var scope = torch.NewDisposeScope();
        var s = states.to(ScalarType.Float64);
        return (-0.5 * (torch.matmul(s, Weights) * s).sum(1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Asynchronous retrieval from <paramref name="queries"/> [n, N] (±1): sweeps in a random order (from
    /// <paramref name="seed"/>) until a sweep changes nothing or <paramref name="maxSweeps"/> ran. Returns the states [n, N]
    /// (float64 ±1) and the sweeps run. <paramref name="onUpdate"/>, when given, sees the states after every single-unit update.
    /// </summary>
    public (Tensor States, int Sweeps) Retrieve(Tensor queries, long seed, int maxSweeps = 100, Action<Tensor>? onUpdate = null)
    {
        HopfieldPatterns.Check(queries, "queries", Units);
        var s = queries.to(ScalarType.Float64).clone();
        var random = Seeding.DotnetRandom(seed, "hopfield-async");
        var w = Weights.data<double>().ToArray();
        var state = s.data<double>().ToArray();
        int n = (int)Units;
        int rows = (int)s.shape[0];
        int sweeps = 0;
        var order = Enumerable.Range(0, n).ToArray();
        bool changed = true;
        while (changed && sweeps < maxSweeps)
        {
            changed = false;
            sweeps++;
            random.Shuffle(order);
            foreach (int i in order)
            {
                for (int r = 0; r < rows; r++)
                {
                    double field = 0;
                    int offset = r * n;
                    for (int j = 0; j < n; j++) field += w[i * n + j] * state[offset + j];
                    double next = field > 0 ? 1 : field < 0 ? -1 : state[offset + i];
                    if (next != state[offset + i])
                    {
                        state[offset + i] = next;
                        changed = true;
                    }
                }
                if (onUpdate is not null)
                {
                    using var snapshot = torch.tensor(state, [rows, n], ScalarType.Float64);
                    onUpdate(snapshot);
                }
            }
        }
        s.Dispose();
        return (torch.tensor(state, [rows, n], ScalarType.Float64), sweeps);
    }

    public void Dispose() => Weights.Dispose();
}
