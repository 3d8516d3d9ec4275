using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Mixture;

public sealed partial class GaussianMixture
{
    /// <summary>
    /// Fits by EM. Per restart: initial responsibilities from <see cref="GaussianMixtureOptions.Init"/>, an M-step
    /// (then the user's weights/means/precisions, if given, replace the estimates), then E/M iterations until the
    /// mean log-likelihood changes by less than <c>Tol</c> or <c>MaxIter</c> is reached. The restart with the best
    /// lower bound is kept. Cancellation stops after the current iteration and returns the best model so far.
    /// </summary>
    public static GaussianMixture Fit(Tensor x, GaussianMixtureOptions options, IProgress<EmProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        Validate(x, options);
        var data = x.to(ScalarType.Float64);
        int k = options.Components;
        (Tensor W, Tensor M, Tensor P)? best = null;
        double bestBound = double.NegativeInfinity;
        int bestIter = 0;
        bool bestConverged = false;
        using var outer = options.CovarianceType == CovarianceType.Full ? GaussianMath.OuterProducts.TryCreate(data) : null;
        for (int init = 0; init < options.NInit && !(cancellation.IsCancellationRequested && best is not null); init++)
        {
            var (w, m, p) = Initialize(data, options, init);
            double bound = double.NegativeInfinity;
            bool converged = false;
            int iter = 0;
            for (iter = 1; iter <= options.MaxIter; iter++)
            {
                using var scope = torch.NewDisposeScope();
                double previous = bound;
                var weighted = GaussianMath.LogGaussianProb(data, m, p, options.CovarianceType) + w.log();
                var norm = weighted.logsumexp(1, keepdim: true);
                bound = norm.mean().item<double>();
                if (!double.IsFinite(bound))
                    throw new LoomDataException(
                        $"EM diverged at iteration {iter} (log-likelihood {bound}); scale the data or increase RegCovar");
                var resp = (weighted - norm).exp();
                var (nk, means, cov) = GaussianMath.EstimateParameters(data, resp, options.RegCovar, options.CovarianceType, outer);
                var newP = GaussianMath.PrecisionCholesky(cov, options.CovarianceType);
                w.copy_(nk / nk.sum());
                m.copy_(means);
                p.copy_(newP);
                double change = bound - previous;
                progress?.Report(new EmProgress(init, iter, options.MaxIter, bound, change));
                if (Math.Abs(change) < options.Tol)
                {
                    converged = true;
                    break;
                }
                if (cancellation.IsCancellationRequested)
                    break;
            }
            iter = Math.Min(iter, options.MaxIter);
            if (bound > bestBound || best is null)
            {
                if (best is { } old) { old.W.Dispose(); old.M.Dispose(); old.P.Dispose(); }
                best = (w, m, p);
                bestBound = bound;
                bestIter = iter;
                bestConverged = converged;
            }
            else
            {
                w.Dispose(); m.Dispose(); p.Dispose();
            }
        }
        var (bw, bm, bp) = best!.Value;
        var info = new MixtureFitInfo(bestConverged, bestIter, bestBound, options.Tol, options.RegCovar, options.MaxIter, options.NInit,
            options.Init.ToString(), options.Seed);
        return new GaussianMixture(bw, bm, bp, options.CovarianceType, info);
    }

    private static (Tensor W, Tensor M, Tensor P) Initialize(Tensor x, GaussianMixtureOptions o, int init)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.shape[0];
        int k = o.Components;
        var g = Seeding.Generator(o.Seed, $"gmm-init:{init}");
        if (o.WeightsInit is not null && o.MeansInit is not null && o.PrecisionsInit is not null)
        {
            // Everything is given: the data-driven init would be overwritten, so skip it.
            return (o.WeightsInit.to(ScalarType.Float64).clone().MoveToOuterDisposeScope(),
                o.MeansInit.to(ScalarType.Float64).clone().MoveToOuterDisposeScope(),
                GaussianMath.PrecisionCholeskyFromPrecisions(o.PrecisionsInit.to(ScalarType.Float64), o.CovarianceType)
                    .contiguous().MoveToOuterDisposeScope());
        }
        Tensor resp;
        switch (o.Init)
        {
            case MixtureInit.KMeans:
                resp = torch.nn.functional.one_hot(KMeans.Labels(x, k, g), k).to(ScalarType.Float64);
                break;
            case MixtureInit.KMeansPlusPlus:
                resp = OneHotRows(n, k, torch.tensor(KMeans.PlusPlusIndices(x, k, g)));
                break;
            case MixtureInit.RandomFromData:
                resp = OneHotRows(n, k, torch.randperm(n, generator: g)[..k]);
                break;
            default:
                resp = torch.rand([n, k], dtype: ScalarType.Float64, generator: g);
                resp = resp / resp.sum(1, keepdim: true);
                break;
        }
        var (nk, means, cov) = GaussianMath.EstimateParameters(x, resp, o.RegCovar, o.CovarianceType);
        var weights = o.WeightsInit?.to(ScalarType.Float64).clone() ?? nk / n;
        if (o.MeansInit is not null) means = o.MeansInit.to(ScalarType.Float64).clone();
        var precChol = o.PrecisionsInit is not null
            ? GaussianMath.PrecisionCholeskyFromPrecisions(o.PrecisionsInit.to(ScalarType.Float64), o.CovarianceType)
            : GaussianMath.PrecisionCholesky(cov, o.CovarianceType);
        return (weights.contiguous().MoveToOuterDisposeScope(), means.contiguous().MoveToOuterDisposeScope(),
            precChol.contiguous().MoveToOuterDisposeScope());
    }

    private static Tensor OneHotRows(long n, int k, Tensor rows)
    {
        var resp = torch.zeros([n, k], dtype: ScalarType.Float64);
        resp.index_put_(torch.ones(k, dtype: ScalarType.Float64), rows, torch.arange(k));
        return resp;
    }

    private static void Validate(Tensor x, GaussianMixtureOptions o)
    {
        if (o.Components < 1)
            throw LoomUsageException.ForOption(nameof(o.Components), $"must be at least 1, got {o.Components}");
        if (o.MaxIter < 1)
            throw LoomUsageException.ForOption(nameof(o.MaxIter), $"must be at least 1, got {o.MaxIter}");
        if (o.NInit < 1)
            throw LoomUsageException.ForOption(nameof(o.NInit), $"must be at least 1, got {o.NInit}");
        if (!(o.RegCovar >= 0))
            throw LoomUsageException.ForOption(nameof(o.RegCovar), $"must be non-negative, got {o.RegCovar}");
        if (!(o.Tol >= 0))
            throw LoomUsageException.ForOption(nameof(o.Tol), $"must be non-negative, got {o.Tol}");
        if (x.dim() != 2)
            throw LoomDataException.ForOption("Data", $"expected a [samples, dimensions] matrix, got shape [{string.Join(", ", x.shape)}]");
        if (x.shape[0] < o.Components)
            throw LoomDataException.ForOption("Data", $"{x.shape[0]} samples are fewer than the {o.Components} components");
        if (!torch.isfinite(x).all().item<bool>())
            throw LoomDataException.ForOption("Data", "contains NaN or infinite values");
        long k = o.Components, d = x.shape[1];
        CheckShape(o.WeightsInit, [k], "weights init");
        CheckShape(o.MeansInit, [k, d], "means init");
        long[] precShape = o.CovarianceType switch
        {
            CovarianceType.Full => [k, d, d],
            CovarianceType.Tied => [d, d],
            CovarianceType.Diag => [k, d],
            _ => [k],
        };
        CheckShape(o.PrecisionsInit, precShape, "precisions init");
    }

    private static void CheckShape(Tensor? t, long[] expected, string what)
    {
        if (t is not null && !t.shape.SequenceEqual(expected))
            throw new LoomUsageException($"{what}: expected shape [{string.Join(", ", expected)}], got [{string.Join(", ", t.shape)}]");
    }
}
