using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Mcmc;

/// <summary>Convergence diagnostics for batched chains.</summary>
public static class McmcDiagnostics
{
    /// <summary>
    /// Effective sample size per dimension from draws [n, chains, d]: autocorrelations averaged over chains, summed
    /// with Geyer's initial positive sequence (pairs of lags added while their sum stays positive).
    /// </summary>
    public static double[] EffectiveSampleSize(Tensor draws)
    {
        using var scope = torch.NewDisposeScope();
        long n = draws.shape[0], chains = draws.shape[1], d = draws.shape[2];
        var centered = draws - draws.mean([0], keepdim: true);
        var variance = centered.square().mean([0]); // [chains, d]
        int maxLag = (int)Math.Min(n - 1, 1000);
        var rho = new double[maxLag + 1, d];
        for (int lag = 0; lag <= maxLag; lag++)
        {
            var cov = (centered[..(int)(n - lag)] * centered[lag..]).sum(0L) / n; // [chains, d]
            var r = (cov / variance.clamp_min(1e-300)).mean([0]).data<double>().ToArray();
            for (int j = 0; j < d; j++) rho[lag, j] = r[j];
        }
        var ess = new double[d];
        for (int j = 0; j < d; j++)
        {
            double sum = -1; // τ = −1 + 2 Σ_{pairs} (ρ_{2k} + ρ_{2k+1})
            for (int k = 0; 2 * k + 1 <= maxLag; k++)
            {
                double pair = rho[2 * k, j] + rho[2 * k + 1, j];
                if (pair <= 0) break;
                sum += 2 * pair;
            }
            ess[j] = n * chains / Math.Max(sum, 1.0 / (n * chains));
        }
        return ess;
    }
}
