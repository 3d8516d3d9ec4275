using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Mixture;

/// <summary>
/// The batched tensor math of Gaussian mixtures, for all four covariance types: the M-step estimates, precision
/// Cholesky factors and per-component log densities. Follows scikit-learn's formulation (precision Cholesky
/// factors, log-determinants from their diagonals) so results agree with it to rounding.
/// </summary>
internal static class GaussianMath
{
    /// <summary>M-step: (unnormalised weights nk, means [k,d], covariances) from data [n,d] and responsibilities [n,k].</summary>
    public static (Tensor Nk, Tensor Means, Tensor Covariances) EstimateParameters(Tensor x, Tensor resp, double regCovar,
        CovarianceType type, OuterProducts? outer = null)
    {
        var nk = resp.sum(0L) + 10 * Eps(x.dtype);
        var means = resp.t().matmul(x) / nk.unsqueeze(1);
        long d = x.shape[1];
        Tensor cov;
        switch (type)
        {
            case CovarianceType.Full when outer is not null:
                {
                    // Σ_i r_ik (x_i−c)(x_i−c)ᵀ / n_k − (μ_k−c)(μ_k−c)ᵀ: one GEMM against the precomputed outer products
                    long k = resp.shape[1];
                    var centred = means - outer.Centre;
                    cov = resp.t().matmul(outer.Values).view(k, d, d) / nk.reshape(-1, 1, 1)
                        - centred.unsqueeze(2).matmul(centred.unsqueeze(1))
                        + regCovar * torch.eye(d, dtype: x.dtype, device: x.device);
                    break;
                }
            case CovarianceType.Full:
                {
                    var diff = x.unsqueeze(0) - means.unsqueeze(1); // [k,n,d]
                    cov = (resp.t().unsqueeze(2) * diff).transpose(1, 2).matmul(diff) / nk.reshape(-1, 1, 1);
                    cov = cov + regCovar * torch.eye(d, dtype: x.dtype, device: x.device);
                    break;
                }
            case CovarianceType.Tied:
                {
                    var avgX2 = x.t().matmul(x);
                    var avgMeans2 = (nk.unsqueeze(1) * means).t().matmul(means);
                    cov = (avgX2 - avgMeans2) / nk.sum() + regCovar * torch.eye(d, dtype: x.dtype, device: x.device);
                    break;
                }
            default:
                {
                    var avgX2 = resp.t().matmul(x * x) / nk.unsqueeze(1);
                    var avgXMeans = means * resp.t().matmul(x) / nk.unsqueeze(1);
                    cov = avgX2 - 2 * avgXMeans + means * means + regCovar;
                    if (type == CovarianceType.Spherical)
                        cov = cov.mean([1]);
                    break;
                }
        }
        return (nk, means, cov);
    }

    /// <summary>Cholesky factors of the precisions (inverse covariances), in the covariance type's shape.</summary>
    public static Tensor PrecisionCholesky(Tensor covariances, CovarianceType type)
    {
        if (type is CovarianceType.Diag or CovarianceType.Spherical)
        {
            if (covariances.le(0).any().item<bool>())
                throw new Core.LoomDataException(
                    "a mixture component collapsed (non-positive variance); increase RegCovar or use fewer components");
            return covariances.rsqrt();
        }
        var (chol, info) = torch.linalg.cholesky_ex(covariances);
        if (info.ne(0).any().item<bool>())
            throw new Core.LoomDataException("a mixture component's covariance is not positive definite (singleton or collapsed "
                + "component); increase RegCovar or use fewer components");
        var eye = torch.eye(covariances.shape[^1], dtype: covariances.dtype, device: covariances.device);
        if (type == CovarianceType.Tied)
            return torch.linalg.solve_triangular(chol, eye, upper: false).t();
        return torch.linalg.solve_triangular(chol, eye.expand_as(chol), upper: false).transpose(1, 2);
    }

    /// <summary>Precision Cholesky factors from user-given precisions.</summary>
    public static Tensor PrecisionCholeskyFromPrecisions(Tensor precisions, CovarianceType type) =>
        type is CovarianceType.Diag or CovarianceType.Spherical ? precisions.sqrt() : torch.linalg.cholesky(precisions);

    /// <summary>Covariances from precision Cholesky factors (the inverse of <see cref="PrecisionCholesky"/>).</summary>
    public static Tensor CovariancesFromPrecisionCholesky(Tensor precChol, CovarianceType type)
    {
        if (type is CovarianceType.Diag or CovarianceType.Spherical)
            return 1.0 / (precChol * precChol);
        var precision = precChol.matmul(precChol.transpose(-1, -2));
        return torch.linalg.inv(precision);
    }

    /// <summary>log N(x_i | mean_k, cov_k) for every sample and component: [n,k].</summary>
    public static Tensor LogGaussianProb(Tensor x, Tensor means, Tensor precChol, CovarianceType type)
    {
        long d = x.shape[1];
        Tensor logDet, quad;
        switch (type)
        {
            case CovarianceType.Full:
                {
                    logDet = precChol.diagonal(dim1: 1, dim2: 2).log().sum(1); // [k]
                    long k = precChol.shape[0];
                    // one GEMM for all components: x [n,d] @ [d, k·d], minus each mean's projection
                    var stacked = precChol.permute(1, 0, 2).reshape(d, k * d);
                    var shift = means.unsqueeze(1).matmul(precChol).reshape(1, k * d);
                    var y = x.matmul(stacked) - shift; // out of place: the SGD path differentiates through this
                    quad = (y * y).view(x.shape[0], k, d).sum(2); // [n,k]
                    break;
                }
            case CovarianceType.Tied:
                {
                    logDet = precChol.diagonal().log().sum();
                    var y = x.matmul(precChol).unsqueeze(1) - means.matmul(precChol).unsqueeze(0); // [n,k,d]
                    quad = y.square().sum(2);
                    break;
                }
            case CovarianceType.Diag:
                {
                    logDet = precChol.log().sum(1);
                    var precisions = precChol * precChol; // [k,d]
                    quad = (means * means * precisions).sum(1).unsqueeze(0) - 2 * x.matmul((means * precisions).t())
                        + (x * x).matmul(precisions.t());
                    break;
                }
            default:
                {
                    logDet = d * precChol.log();
                    var precisions = precChol * precChol; // [k]
                    quad = (means * means).sum(1).unsqueeze(0) * precisions - 2 * x.matmul(means.t()) * precisions
                        + (x * x).sum(1, keepdim: true) * precisions.unsqueeze(0);
                    break;
                }
        }
        return -0.5 * (d * Math.Log(2 * Math.PI) + quad) + logDet;
    }

    /// <summary>
    /// Per-sample outer products (x_i − c)(x_i − c)ᵀ flattened to [n, d²], computed once per fit around the data mean c,
    /// so each full-covariance M-step is one GEMM. Used only while n·d² stays under <see cref="MaxElements"/>.
    /// </summary>
    internal sealed class OuterProducts : IDisposable
    {
        public const long MaxElements = 1L << 25;

        private OuterProducts(Tensor centre, Tensor values)
        {
            Centre = centre;
            Values = values;
        }

        public Tensor Centre { get; }
        public Tensor Values { get; }

        public static OuterProducts? TryCreate(Tensor x)
        {
            long n = x.shape[0], d = x.shape[1];
            if (n * d * d > MaxElements)
                return null;
            using var scope = torch.NewDisposeScope();
            var centre = x.mean([0]);
            var xc = x - centre;
            var values = (xc.unsqueeze(2) * xc.unsqueeze(1)).reshape(n, d * d);
            return new OuterProducts(centre.MoveToOuterDisposeScope(), values.MoveToOuterDisposeScope());
        }

        public void Dispose()
        {
            Centre.Dispose();
            Values.Dispose();
        }
    }

    private static double Eps(ScalarType type) => type == ScalarType.Float32 ? 1.1920929e-07 : 2.220446049250313e-16;
}
