namespace Loom.Models.Hmm;

/// <summary>
/// Tracks Baum-Welch log-likelihoods. EM stops when the gain of an iteration falls below <see cref="Tol"/>
/// in absolute value (<see cref="Converged"/>), after <see cref="MaxIter"/> iterations, or when the log-likelihood drops
/// by more than Tol (<see cref="Decreased"/>; exact EM never decreases it, so that signals a numerical problem).
/// </summary>
public sealed class HmmConvergenceMonitor
{
    private readonly List<double> history = new();

    public HmmConvergenceMonitor(double tol, int maxIter)
    {
        Tol = tol;
        MaxIter = maxIter;
    }

    public double Tol { get; }

    public int MaxIter { get; }

    /// <summary>Total log-likelihood (nats) of the training sequences at the start of each iteration.</summary>
    public IReadOnlyList<double> History => history;

    public int Iterations => history.Count;

    public bool Converged { get; private set; }

    public bool Decreased { get; private set; }

    /// <summary>Gain of the last iteration (NaN before the second).</summary>
    public double LastGain => history.Count < 2 ? double.NaN : history[^1] - history[^2];

    /// <summary>A decrease smaller than this is rounding noise.</summary>
    public static double Noise(double logLik) => 1e-8 + 1e-10 * Math.Abs(logLik);

    /// <summary>Records one log-likelihood; returns true when EM should stop. A decrease within <see cref="Tol"/> counts as
    /// convergence (with min_covar added, EM is not exact near its fixed point and may approach it from above); a
    /// larger decrease (any decrease beyond rounding noise when Tol &lt;= 0) stops EM with <see cref="Decreased"/> set.</summary>
    public bool Report(double logLik)
    {
        history.Add(logLik);
        if (history.Count >= 2)
        {
            double gain = LastGain;
            if (gain < -Noise(history[^2]))
                Decreased = true;
            if (Tol > 0 && Math.Abs(gain) < Tol)
            {
                Converged = true;
                return true;
            }
            if (Decreased)
                return true;
        }
        return history.Count >= MaxIter;
    }
}

/// <summary>One Baum-Welch iteration's report: the log-likelihood (nats, summed over sequences) before its M-step.</summary>
public sealed record HmmEmProgress(int Iteration, double LogLikelihood, double Gain, bool Converged);
