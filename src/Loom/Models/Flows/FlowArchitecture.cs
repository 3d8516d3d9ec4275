using Loom.Core;

namespace Loom.Models.Flows;

/// <summary>The layer stacks a <c>flow</c> can be built from.</summary>
public enum FlowArchitecture
{
    /// <summary>Affine couplings with alternating masks (checkerboard/channel and squeezes for images), Dinh et al. 2017.</summary>
    RealNvp,
    /// <summary>Steps of ActNorm → invertible 1×1 convolution (LU) → affine coupling, Kingma &amp; Dhariwal 2018.</summary>
    Glow,
    /// <summary>Masked autoregressive flow (MADE layers, order reversed between them), Papamakarios et al. 2017; vectors only.</summary>
    Maf,
    /// <summary>Rational-quadratic spline couplings, Durkan et al. 2019; vectors only.</summary>
    Spline,
}

/// <summary>Names of <see cref="FlowArchitecture"/> as recipes and configs write them.</summary>
public static class FlowArchitectures
{
    public const string Choices = "realnvp, glow, maf or spline";

    public static FlowArchitecture Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "realnvp" or "real-nvp" => FlowArchitecture.RealNvp,
        "glow" => FlowArchitecture.Glow,
        "maf" => FlowArchitecture.Maf,
        "spline" or "nsf" or "rq-spline" => FlowArchitecture.Spline,
        _ => throw LoomUsageException.ForOption("Architecture", $"'{text}' is not a flow architecture; use {Choices}"),
    };

    public static string Name(this FlowArchitecture architecture) => architecture switch
    {
        FlowArchitecture.RealNvp => "realnvp",
        FlowArchitecture.Glow => "glow",
        FlowArchitecture.Maf => "maf",
        _ => "spline",
    };

    /// <summary>Whether the architecture has an image form (squeezes, multi-scale splits).</summary>
    public static bool SupportsImages(this FlowArchitecture architecture) =>
        architecture is FlowArchitecture.RealNvp or FlowArchitecture.Glow;
}
