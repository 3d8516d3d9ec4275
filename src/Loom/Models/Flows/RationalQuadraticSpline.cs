using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// The monotone rational-quadratic spline of neural spline flows (Durkan et al. 2019), elementwise: K bins on
/// [−B, B] whose widths, heights (softmax) and interior knot derivatives (softplus) come from unconstrained
/// parameters; the identity outside [−B, B] (linear tails, derivative 1 at both ends so the map is C¹). Zero
/// parameters give equal bins and unit derivatives, i.e. the identity.
/// </summary>
public static class RationalQuadraticSpline
{
    private const double MinBinWidth = 1e-3;
    private const double MinBinHeight = 1e-3;
    private const double MinDerivative = 1e-3;

    /// <summary>Unconstrained parameters per dimension for <paramref name="bins"/> bins: K widths, K heights and K − 1
    /// derivatives.</summary>
    public static int ParametersPerDimension(int bins) => 3 * bins - 1;

    /// <summary>
    /// Applies the spline to <paramref name="x"/> [...] with parameters [..., 3K − 1] (<paramref name="inverse"/>: its
    /// inverse); returns the values and log|dy/dx| (inverse: log|dx/dy|) elementwise.
    /// </summary>
    public static (Tensor Y, Tensor LogDerivative) Apply(Tensor x, Tensor parameters, int bins, double bound, bool inverse)
    {
        var raw = parameters.split([bins, bins, bins - 1], -1);
        var (xKnots, widths) = Knots(raw[0], bins, bound, MinBinWidth);
        var (yKnots, heights) = Knots(raw[1], bins, bound, MinBinHeight);
        double offset = Math.Log(Math.Exp(1 - MinDerivative) - 1);
        var interior = MinDerivative + nn.functional.softplus(raw[2] + offset);
        var ones = torch.ones_like(interior.narrow(-1, 0, 1));
        var derivatives = torch.cat([ones, interior, ones], -1);

        var inside = (x >= -bound).logical_and(x <= bound);
        var clamped = x.clamp(-bound, bound);
        var bin = ((clamped.unsqueeze(-1) >= (inverse ? yKnots : xKnots)).sum(-1) - 1).clamp(0, bins - 1).unsqueeze(-1);
        Tensor At(Tensor t) => t.gather(-1, bin).squeeze(-1);
        var (x0, w, y0, h) = (At(xKnots), At(widths), At(yKnots), At(heights));
        var (d0, d1) = (At(derivatives), At(derivatives.narrow(-1, 1, bins)));
        var slope = h / w;
        var curvature = d1 + d0 - 2 * slope;

        Tensor xi, result;
        if (inverse)
        {
            var dy = clamped - y0;
            var a = h * (slope - d0) + dy * curvature;
            var b = h * d0 - dy * curvature;
            var c = -slope * dy;
            var discriminant = (b * b - 4 * a * c).clamp_min(0);
            xi = (2 * c / (-b - discriminant.sqrt())).clamp(0, 1);
            result = x0 + xi * w;
        }
        else
        {
            xi = (clamped - x0) / w;
            var mixed = xi * (1 - xi);
            result = y0 + h * (slope * xi * xi + d0 * mixed) / (slope + curvature * mixed);
        }
        var m = xi * (1 - xi);
        var denominator = slope + curvature * m;
        var numerator = slope * slope * (d1 * xi * xi + 2 * slope * m + d0 * (1 - xi) * (1 - xi));
        var logDerivative = numerator.log() - 2 * denominator.log();
        if (inverse) logDerivative = -logDerivative;
        return (torch.where(inside, result, x), torch.where(inside, logDerivative, torch.zeros_like(logDerivative)));
    }

    /// <summary>Knot positions [..., K + 1] from −B to B exactly and bin sizes [..., K], each bin at least
    /// <paramref name="minimum"/>·2B.</summary>
    private static (Tensor Knots, Tensor Sizes) Knots(Tensor raw, int bins, double bound, double minimum)
    {
        var fractions = minimum + (1 - minimum * bins) * nn.functional.softmax(raw, -1);
        var cumulative = fractions.cumsum(-1).narrow(-1, 0, bins - 1) * (2 * bound) - bound;
        var start = torch.full_like(cumulative.narrow(-1, 0, 1), -bound);
        var end = torch.full_like(start, bound);
        var knots = torch.cat([start, cumulative, end], -1);
        return (knots, knots.narrow(-1, 1, bins) - knots.narrow(-1, 0, bins));
    }
}
