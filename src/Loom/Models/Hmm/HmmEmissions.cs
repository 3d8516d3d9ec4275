using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// The emission part of an HMM: per-state log-densities of observations, the sufficient statistics Baum-Welch
/// accumulates, the M-step, and sampling. Instances are immutable and own their (float64) tensors; the M-step
/// returns a new instance. Observations have a leading batch shape: <c>[...]</c> integer symbols for categorical
/// emissions, <c>[..., D]</c> float64 vectors for Gaussian ones.
/// </summary>
internal abstract class HmmEmissions : IDisposable
{
    private readonly List<Tensor> owned = new();

    protected HmmEmissions(int states) => States = states;

    public int States { get; }

    public abstract HmmEmission Kind { get; }

    /// <summary>Number of symbols (categorical) or observation dimensions (Gaussian).</summary>
    public abstract int Dim { get; }

    /// <summary>Log-density of every observation under every state: <c>[...]</c> or <c>[..., D]</c> to <c>[..., K]</c>.</summary>
    public abstract Tensor LogProb(Tensor observations);

    /// <summary>Zeroed sufficient-statistic accumulators (owned by the caller).</summary>
    public abstract Tensor[] NewStats();

    /// <summary>Adds the posterior-weighted statistics of flat observations <c>[M]</c>/<c>[M, D]</c> with weights <c>[M, K]</c> to
    /// <paramref name="stats"/> in place.</summary>
    public abstract void Accumulate(Tensor[] stats, Tensor observations, Tensor weights);

    /// <summary>New emissions maximising the expected complete-data log-likelihood given <paramref name="stats"/>.</summary>
    public abstract HmmEmissions MStep(Tensor[] stats, double minCovar);

    /// <summary>One observation per state in <paramref name="states"/> (<c>[M]</c> long): <c>[M]</c> or <c>[M, D]</c>.</summary>
    public abstract Tensor Sample(Tensor states, Generator generator);

    /// <summary>Named parameter tensors for checkpoints.</summary>
    public abstract IEnumerable<KeyValuePair<string, Tensor>> State { get; }

    /// <summary>Checks one sequence and returns it as the tensor the model computes on (long symbols or float64 [T, D]).</summary>
    public abstract Tensor PrepareSequence(Tensor sequence, string where);

    /// <summary>Takes ownership of a tensor: it leaves any dispose scope and lives until <see cref="Dispose"/>.</summary>
    protected Tensor Own(Tensor t)
    {
        var kept = t.DetachFromDisposeScope();
        owned.Add(kept);
        return kept;
    }

    public void Dispose()
    {
        foreach (var t in owned)
            t.Dispose();
        owned.Clear();
    }

    public static HmmEmissions FromState(HmmEmission kind, Func<string, Tensor> get) => kind switch
    {
        HmmEmission.Categorical => new CategoricalEmissions(get("emissionprob")),
        HmmEmission.GaussianDiag => new GaussianDiagEmissions(get("means"), get("covars")),
        HmmEmission.GaussianFull => new GaussianFullEmissions(get("means"), get("covars")),
        _ => throw new LoomDataException($"unknown emission kind {kind}"),
    };

    /// <summary>Shared Gaussian sequence check: 2-D (or 1-D when D = 1), finite, matching dimension.</summary>
    protected static Tensor PrepareVectors(Tensor sequence, int dim, string where)
    {
        using var scope = NewDisposeScope();
        if (sequence.dim() == 1 && dim == 1)
            sequence = sequence.unsqueeze(1);
        if (sequence.dim() != 2)
            throw new LoomDataException(
                $"{where}: expected a [steps, {dim}] tensor of observations, got shape [{string.Join(", ", sequence.shape)}]");
        if (sequence.shape[0] == 0)
            throw new LoomDataException($"{where}: the sequence is empty");
        if (sequence.shape[1] != dim)
            throw new LoomDataException($"{where}: observations have {sequence.shape[1]} dimensions, the model has {dim}");
        if (!sequence.is_floating_point()
            && sequence.dtype is not (ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte))
            throw new LoomDataException($"{where}: observations must be numbers, got {sequence.dtype}");
        var x = sequence.to(ScalarType.Float64).cpu();
        if (ReferenceEquals(x, sequence))
            x = sequence.clone();
        if (!x.isfinite().all().item<bool>())
            throw new LoomDataException($"{where}: observations contain NaN or infinity");
        return x.MoveToOuterDisposeScope();
    }
}
