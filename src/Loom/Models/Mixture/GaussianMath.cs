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
    public static (Tensor Nk, Tensor Means, Tensor Covariances) EstimateParameters(Tensor x, Tensor resp, double regCovar, CovarianceType type)
    {
        var nk = resp.sum(0L) + 10 * Eps(x.dtype);
        var means = resp.t().matmul(x) / nk.unsqueeze(1);
        long d = x.shape[1];
        Tensor cov;
        switch (type)
        {
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
                throw new Core.LoomDataException("a mixture component collapsed (non-positive variance); increase --reg-covar or use fewer components");
            return covariances.rsqrt();
        }
        var (chol, info) = torch.linalg.cholesky_ex(covariances);
        if (info.ne(0).any().item<bool>())
            throw new Core.LoomDataException("a mixture component's covariance is not positive definite (singleton or collapsed component); increase --reg-covar or use fewer components");
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
                var y = x.unsqueeze(0).matmul(precChol) - means.unsqueeze(1).matmul(precChol); // [k,n,d]
                quad = y.square().sum(2).t(); // [n,k]
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
                quad = (means * means * precisions).sum(1).unsqueeze(0) - 2 * x.matmul((means * precisions).t()) + (x * x).matmul(precisions.t());
                break;
            }
            default:
            {
                logDet = d * precChol.log();
                var precisions = precChol * precChol; // [k]
                quad = (means * means).sum(1).unsqueeze(0) * precisions - 2 * x.matmul(means.t()) * precisions + (x * x).sum(1, keepdim: true) * precisions.unsqueeze(0);
                break;
            }
        }
        return -0.5 * (d * Math.Log(2 * Math.PI) + quad) + logDet;
    }

    private static double Eps(ScalarType type) => type == ScalarType.Float32 ? 1.1920929e-07 : 2.220446049250313e-16;
}
