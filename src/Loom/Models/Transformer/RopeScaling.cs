using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Transformer;

/// <summary>How rotary frequencies are stretched for contexts longer than the pretraining one (HF <c>rope_type</c>).</summary>
public enum RopeScalingKind
{
    /// <summary>Plain RoPE: frequency i = θ^(−2i/d) (HF <c>default</c>).</summary>
    None,
    /// <summary>Position interpolation: every frequency divided by the factor (HF <c>linear</c>).</summary>
    Linear,
    /// <summary>NTK-aware base growth, only once a sequence passes the original context (HF <c>dynamic</c>).</summary>
    Dynamic,
    /// <summary>Llama 3.1's band rule: low frequencies divided by the factor, high ones kept, a smooth ramp between (HF
    /// <c>llama3</c>).</summary>
    Llama3,
}

/// <summary>
/// A rotary scaling rule and its parameters, as HF's <c>rope_scaling</c> / <c>rope_parameters</c> give them; computes
/// the inverse frequencies the rotary embedding uses.
/// </summary>
public sealed record RopeScaling
{
    public static RopeScaling None { get; } = new();

    public RopeScalingKind Kind { get; init; }
    public double Factor { get; init; } = 1;
    /// <summary>Llama 3: wavelengths above original context / this factor are fully scaled.</summary>
    public double LowFrequencyFactor { get; init; } = 1;
    /// <summary>Llama 3: wavelengths below original context / this factor are kept.</summary>
    public double HighFrequencyFactor { get; init; } = 4;
    /// <summary>The context the model was pretrained with (Llama 3 band edges; where dynamic scaling starts).</summary>
    public int OriginalContext { get; init; }

    /// <summary>
    /// Inverse frequencies (head width / 2 of them) for a pass whose longest sequence is <paramref name="sequenceLength"/>
    /// tokens (only dynamic scaling depends on it).
    /// </summary>
    public double[] InverseFrequencies(int headDim, double theta, long sequenceLength)
    {
        double baseTheta = theta;
        if (Kind == RopeScalingKind.Dynamic && sequenceLength > OriginalContext)
            baseTheta = theta * Math.Pow(Factor * sequenceLength / OriginalContext - (Factor - 1), headDim / (headDim - 2.0));
        var frequencies = new double[headDim / 2];
        for (int i = 0; i < frequencies.Length; i++)
        {
            double plain = 1.0 / Math.Pow(baseTheta, 2.0 * i / headDim);
            frequencies[i] = Kind switch
            {
                RopeScalingKind.Linear => plain / Factor,
                RopeScalingKind.Llama3 => Llama3Frequency(plain),
                _ => plain,
            };
        }
        return frequencies;
    }

    private double Llama3Frequency(double frequency)
    {
        double wavelength = 2 * Math.PI / frequency;
        double keptBelow = OriginalContext / HighFrequencyFactor, scaledAbove = OriginalContext / LowFrequencyFactor;
        if (wavelength < keptBelow) return frequency;
        if (wavelength > scaledAbove) return frequency / Factor;
        double blend = (OriginalContext / wavelength - LowFrequencyFactor) / (HighFrequencyFactor - LowFrequencyFactor);
        return (1 - blend) * frequency / Factor + blend * frequency;
    }

    public void Validate()
    {
        if (Kind == RopeScalingKind.None) return;
        if (Factor is not (>= 1 and < 1e6)) throw LoomUsageException.ForOption("RopeScaling.Factor", $"must be in [1, 1e6), got {Factor}");
        if (Kind is RopeScalingKind.Dynamic or RopeScalingKind.Llama3 && OriginalContext < 1)
            throw LoomUsageException.ForOption("RopeScaling.OriginalContext", $"must be at least 1 for {Kind} scaling");
        if (Kind == RopeScalingKind.Llama3 && !(LowFrequencyFactor > 0 && HighFrequencyFactor > LowFrequencyFactor))
            throw new LoomUsageException(
                $"llama3 rope scaling: need 0 < low_freq_factor < high_freq_factor, got {LowFrequencyFactor} and {HighFrequencyFactor}");
    }

    public JsonObject ToJson() => new()
    {
        ["type"] = Kind.ToString().ToLowerInvariant(),
        ["factor"] = Factor,
        ["low_freq_factor"] = LowFrequencyFactor,
        ["high_freq_factor"] = HighFrequencyFactor,
        ["original_context"] = OriginalContext,
    };

    /// <summary>Reads <see cref="ToJson"/>'s object strictly.</summary>
    public static RopeScaling FromJson(ConfigValues v)
    {
        var kind = v.String("type") switch
        {
            "none" => RopeScalingKind.None,
            "linear" => RopeScalingKind.Linear,
            "dynamic" => RopeScalingKind.Dynamic,
            "llama3" => RopeScalingKind.Llama3,
            var s => throw new LoomDataException($"transformer config: unknown rope scaling '{s}'"),
        };
        return new RopeScaling
        {
            Kind = kind, Factor = v.Double("factor", 1, 1e6), LowFrequencyFactor = v.Double("low_freq_factor", 0, 1e6),
            HighFrequencyFactor = v.Double("high_freq_factor", 0, 1e6), OriginalContext = v.Int("original_context", 0, 1 << 24),
        };
    }
}
