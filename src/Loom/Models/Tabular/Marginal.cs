using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Tabular;

/// <summary>
/// A numeric column's marginal distribution on [<see cref="Low"/>, <see cref="High"/>], the range seen in the data:
/// uniform, truncated normal, beta (scaled to the range) or the empirical distribution (piecewise-linear through
/// quantile knots). The copula maps a value x to Φ⁻¹(F(x)) and back with <see cref="Quantile"/>.
/// </summary>
public abstract record Marginal(double Low, double High)
{
    /// <summary>The distribution's name in checkpoints and reports.</summary>
    public abstract string Name { get; }

    /// <summary>F(x), clamped to [0, 1].</summary>
    public abstract double Cdf(double x);

    /// <summary>F⁻¹(u) for u in [0, 1], within [Low, High].</summary>
    public abstract double Quantile(double u);

    protected abstract void WriteParameters(JsonObject json);

    private static double[] Knots(JsonObject node)
    {
        var knots = (node["knots"] as JsonArray)?.Select(k => k?.GetValue<double>() ?? double.NaN).ToArray();
        if (knots is null || knots.Length < 2 || knots.Any(k => !double.IsFinite(k)))
            throw new LoomDataException("config.json: an empirical marginal needs at least two finite knots");
        return knots;
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["distribution"] = Name, ["low"] = Low, ["high"] = High };
        WriteParameters(json);
        return json;
    }

    /// <summary>Reads a marginal written by <see cref="ToJson"/>.</summary>
    public static Marginal FromJson(JsonObject node)
    {
        var json = new ConfigValues(node);
        double low = json.Double("low", double.MinValue, double.MaxValue), high = json.Double("high", low, double.MaxValue);
        return json.String("distribution") switch
        {
            "uniform" => new UniformMarginal(low, high),
            "truncnorm" => new TruncatedNormalMarginal(low, high, json.Double("mean", double.MinValue, double.MaxValue),
                json.Double("std", double.Epsilon, double.MaxValue)),
            "beta" => new BetaMarginal(low, high, json.Double("a", double.Epsilon, double.MaxValue),
                json.Double("b", double.Epsilon, double.MaxValue)),
            "empirical" => new EmpiricalMarginal(Knots(node)),
            var other => throw new LoomDataException($"config.json: '{other}' is not a marginal distribution"),
        };
    }
}

/// <summary>Uniform on [Low, High].</summary>
public sealed record UniformMarginal(double Low, double High) : Marginal(Low, High)
{
    public override string Name => "uniform";
    public override double Cdf(double x) => High > Low ? Math.Clamp((x - Low) / (High - Low), 0, 1) : 0.5;
    public override double Quantile(double u) => Low + Math.Clamp(u, 0, 1) * (High - Low);
    protected override void WriteParameters(JsonObject json) { }
}

/// <summary>A normal with <see cref="Mean"/> and <see cref="Std"/> truncated to [Low, High].</summary>
public sealed record TruncatedNormalMarginal(double Low, double High, double Mean, double Std) : Marginal(Low, High)
{
    public override string Name => "truncnorm";
    private double A => Distributions.NormalCdf((Low - Mean) / Std);
    private double B => Distributions.NormalCdf((High - Mean) / Std);

    public override double Cdf(double x) =>
        B > A ? Math.Clamp((Distributions.NormalCdf((x - Mean) / Std) - A) / (B - A), 0, 1) : 0.5;

    /// <summary>F⁻¹(u); the upper half through the upper tail (1 − Φ), which keeps its precision near the maximum.</summary>
    public override double Quantile(double u)
    {
        u = Math.Clamp(u, 0, 1);
        double p = A + u * (B - A);
        if (p <= 0.5)
            return Math.Clamp(Mean + Std * Distributions.NormalQuantile(p), Low, High);
        double upperLow = Distributions.NormalCdf((Mean - Low) / Std), upperHigh = Distributions.NormalCdf((Mean - High) / Std);
        return Math.Clamp(Mean - Std * Distributions.NormalQuantile(upperHigh + (1 - u) * (upperLow - upperHigh)), Low, High);
    }

    protected override void WriteParameters(JsonObject json)
    {
        json["mean"] = Mean;
        json["std"] = Std;
    }
}

/// <summary>A beta(<see cref="A"/>, <see cref="B"/>) distribution scaled to [Low, High].</summary>
public sealed record BetaMarginal(double Low, double High, double A, double B) : Marginal(Low, High)
{
    public override string Name => "beta";
    public override double Cdf(double x) => Distributions.RegularizedBeta((x - Low) / (High - Low), A, B);
    public override double Quantile(double u) => Low + Distributions.BetaQuantile(Math.Clamp(u, 0, 1), A, B) * (High - Low);

    protected override void WriteParameters(JsonObject json)
    {
        json["a"] = A;
        json["b"] = B;
    }
}

/// <summary>
/// The data's own distribution: linear between quantile knots (knot k at u = k / (knots − 1); the first the minimum, the last the
/// maximum).
/// </summary>
public sealed record EmpiricalMarginal(double[] Knots) : Marginal(Knots[0], Knots[^1])
{
    public override string Name => "empirical";

    public override double Cdf(double x)
    {
        if (x <= Knots[0]) return 0;
        if (x >= Knots[^1]) return 1;
        int hi = Array.BinarySearch(Knots, x);
        if (hi >= 0)
        {
            // Ties (a value many knots share): the middle of its run of knots.
            int lo = hi;
            while (lo > 0 && Knots[lo - 1] == x) lo--;
            while (hi < Knots.Length - 1 && Knots[hi + 1] == x) hi++;
            return (lo + hi) / 2.0 / (Knots.Length - 1);
        }
        hi = ~hi;
        int below = hi - 1;
        double t = (x - Knots[below]) / (Knots[hi] - Knots[below]);
        return (below + t) / (Knots.Length - 1);
    }

    public override double Quantile(double u)
    {
        double position = Math.Clamp(u, 0, 1) * (Knots.Length - 1);
        int below = Math.Min((int)position, Knots.Length - 2);
        double t = position - below;
        return Knots[below] + t * (Knots[below + 1] - Knots[below]);
    }

    protected override void WriteParameters(JsonObject json) =>
        json["knots"] = new JsonArray(Knots.Select(k => (JsonNode)JsonValue.Create(k)).ToArray());
}
