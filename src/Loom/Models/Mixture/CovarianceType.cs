using Loom.Core;

namespace Loom.Models.Mixture;

/// <summary>
/// How each component's covariance is parameterised (scikit-learn's names and shapes):
/// full [k,d,d], tied [d,d] shared by all components, diag [k,d], spherical [k] (one variance per component).
/// </summary>
public enum CovarianceType
{
    Full,
    Tied,
    Diag,
    Spherical,
}

public static class CovarianceTypes
{
    public static CovarianceType Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "full" => CovarianceType.Full,
        "tied" => CovarianceType.Tied,
        "diag" or "diagonal" => CovarianceType.Diag,
        "spherical" => CovarianceType.Spherical,
        _ => throw LoomUsageException.ForOption("Covariance", $"'{text}' is not a covariance type; use full, tied, diag or spherical"),
    };

    public static string Name(this CovarianceType type) => type.ToString().ToLowerInvariant();

    /// <summary>Free parameters of the covariances, as scikit-learn counts them for BIC/AIC.</summary>
    public static long ParameterCount(this CovarianceType type, long k, long d) => type switch
    {
        CovarianceType.Full => k * d * (d + 1) / 2,
        CovarianceType.Tied => d * (d + 1) / 2,
        CovarianceType.Diag => k * d,
        _ => k,
    };
}
