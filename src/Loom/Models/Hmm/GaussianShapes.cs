using Loom.Core;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>Shape and value checks for Gaussian emission parameters read from checkpoints or built in code.</summary>
internal static class GaussianShapes
{
    public static void CheckMeans(Tensor means)
    {
        if (means.dim() != 2 || means.shape[0] < 1 || means.shape[1] < 1)
            throw new LoomDataException($"means: expected shape [states, dims], got [{string.Join(", ", means.shape)}]");
        CheckFinite(means, "means");
    }

    public static void CheckDiagCovars(Tensor covars, Tensor means)
    {
        if (covars.dim() != 2 || covars.shape[0] != means.shape[0] || covars.shape[1] != means.shape[1])
            throw new LoomDataException($"covars: expected shape [{means.shape[0]}, {means.shape[1]}] for diagonal covariances, got "
                + $"[{string.Join(", ", covars.shape)}]");
        CheckFinite(covars, "covars");
        using var positive = (covars > 0).all();
        if (!positive.item<bool>())
            throw new LoomDataException("covars: every variance must be positive");
    }

    public static void CheckFullCovars(Tensor covars, Tensor means)
    {
        long k = means.shape[0], d = means.shape[1];
        if (covars.dim() != 3 || covars.shape[0] != k || covars.shape[1] != d || covars.shape[2] != d)
            throw new LoomDataException(
                $"covars: expected shape [{k}, {d}, {d}] for full covariances, got [{string.Join(", ", covars.shape)}]");
        CheckFinite(covars, "covars");
    }

    public static void CheckFinite(Tensor t, string name)
    {
        using var finite = t.isfinite().all();
        if (!finite.item<bool>())
            throw new LoomDataException($"{name}: contains NaN or infinity");
    }
}
