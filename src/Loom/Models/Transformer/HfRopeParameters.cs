using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Transformer;

/// <summary>
/// The rotary settings of an HF Llama-family config.json: transformers 5's <c>rope_parameters</c> (rope_type, rope_theta
/// and the scaling's keys in one object) or the classic top-level <c>rope_theta</c> with <c>rope_scaling</c>.
/// </summary>
internal static class HfRopeParameters
{
    private const string SupportedTypes = "default, linear, dynamic, llama3";

    /// <summary>θ, the scaling rule, and the context length Loom allows (dynamic scaling extends it by its factor).</summary>
    public static (double Theta, RopeScaling Scaling, int Context) Read(ConfigValues v, string source)
    {
        int maxPositions = v.Int("max_position_embeddings", 1, 1 << 24);
        var parameters = v.Has("rope_parameters") ? v.Object("rope_parameters")
            : v.Has("rope_scaling") ? v.Object("rope_scaling") : null;
        double topTheta = v.Double("rope_theta", double.Epsilon, double.MaxValue, 10000);
        double theta = parameters?.Double("rope_theta", double.Epsilon, double.MaxValue, topTheta) ?? topTheta;
        string type = parameters is null ? "default" : parameters.String("rope_type", parameters.String("type", "default"));
        var scaling = type switch
        {
            "default" => RopeScaling.None,
            "linear" => new RopeScaling { Kind = RopeScalingKind.Linear, Factor = Factor(parameters!) },
            "dynamic" => new RopeScaling
            {
                Kind = RopeScalingKind.Dynamic, Factor = Factor(parameters!),
                OriginalContext = parameters!.Int("original_max_position_embeddings", 1, 1 << 24, maxPositions),
            },
            "llama3" => new RopeScaling
            {
                Kind = RopeScalingKind.Llama3, Factor = Factor(parameters!),
                LowFrequencyFactor = parameters!.Double("low_freq_factor", double.Epsilon, 1e6),
                HighFrequencyFactor = parameters.Double("high_freq_factor", double.Epsilon, 1e6),
                OriginalContext = parameters.Int("original_max_position_embeddings", 1, 1 << 24),
            },
            _ => throw new LoomDataException($"{source}: rope scaling '{type}' is not supported (supported: {SupportedTypes})"),
        };
        int context = scaling.Kind == RopeScalingKind.Dynamic
            ? (int)Math.Min(1 << 24, Math.Max(maxPositions, Math.Floor(scaling.OriginalContext * scaling.Factor)))
            : maxPositions;
        return (theta, scaling, context);
    }

    private static double Factor(ConfigValues parameters) => parameters.Double("factor", 1, 1e6);
}
