using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>Baum-Welch EM over padded batches of sequences; every iteration runs inside one dispose scope.</summary>
internal static class BaumWelch
{
    /// <summary>Runs EM from <paramref name="initial"/> (which it takes over) and returns the final parameters.</summary>
    public static HmmParameters Run(HmmParameters initial, IReadOnlyList<HmmBatch> batches, HmmOptions o, HmmConvergenceMonitor monitor,
        IProgress<HmmEmProgress>? progress, CancellationToken ct)
    {
        var current = initial;
        using var oneThread = SingleThreadScope.Enter();
        try
        {
            for (int iter = 0; iter < o.MaxIter; iter++)
            {
                ct.ThrowIfCancellationRequested();
                var (next, logLik) = Iterate(current, batches, o.MinCovar, ct);
                if (!double.IsFinite(logLik))
                {
                    next.Dispose();
                    throw new LoomDataException($"Baum-Welch: the training log-likelihood became {logLik} at iteration {iter + 1}; the "
                        + $"data has zero probability under the model (check the data or raise MinCovar)");
                }
                bool stop = monitor.Report(logLik);
                if (monitor.Decreased && !monitor.Converged)
                {
                    next.Dispose();
                    progress?.Report(new HmmEmProgress(iter + 1, logLik, monitor.LastGain, false));
                    break;
                }
                current.Dispose();
                current = next;
                progress?.Report(new HmmEmProgress(iter + 1, logLik, monitor.LastGain, monitor.Converged));
                if (stop)
                    break;
            }
            return current;
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }

    /// <summary>One E-step over all batches and the M-step; returns the new parameters and the log-likelihood under the old ones.</summary>
    public static (HmmParameters Next, double LogLik) Iterate(HmmParameters p, IReadOnlyList<HmmBatch> batches, double minCovar,
        CancellationToken ct = default)
    {
        using var scope = NewDisposeScope();
        int k = p.States;
        var startCounts = zeros(k, dtype: ScalarType.Float64);
        var transCounts = zeros(k, k, dtype: ScalarType.Float64);
        var emissionStats = p.Emissions.NewStats();
        double logLik = 0;
        var scaled = new ScaledForwardBackward(p);
        foreach (var batch in batches)
        {
            ct.ThrowIfCancellationRequested();
            logLik += HmmInference.Accumulate(p, batch, startCounts, transCounts, emissionStats, scaled);
        }
        var start = startCounts / startCounts.sum();
        var rowTotals = transCounts.sum(1, keepdim: true);
        var trans = where(rowTotals > 0, transCounts / rowTotals.clamp_min(double.Epsilon), p.TransMat);
        var emissions = p.Emissions.MStep(emissionStats, minCovar);
        return (new HmmParameters(start, trans, emissions), logLik);
    }
}
