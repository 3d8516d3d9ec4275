using static TorchSharp.torch;

namespace Loom.Core;

/// <summary>
/// Parses the dtype a text transformer computes in (<c>float32</c>, <c>bfloat16</c>, <c>float16</c>; also <c>f32</c>,
/// <c>bf16</c>, <c>f16</c>, <c>fp32</c>, <c>fp16</c>, <c>auto</c> = float32). Weights stored in another dtype are converted
/// once, while loading; logits reach the decoding engine as float32 whatever the compute dtype.
/// </summary>
public static class ComputeDtype
{
    public static ScalarType Parse(string? spec) => (spec ?? "auto").Trim().ToLowerInvariant() switch
    {
        "" or "auto" or "float32" or "f32" or "fp32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        "float16" or "f16" or "fp16" or "half" => ScalarType.Float16,
        _ => throw LoomUsageException.ForOption("Dtype", $"'{spec}' is not a compute dtype; use float32, bfloat16 or float16"),
    };

    /// <summary>The name <see cref="Parse"/> reads back (float32, bfloat16, float16).</summary>
    public static string Name(ScalarType dtype) => dtype switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float32 => "float32",
        _ => throw LoomUsageException.ForOption("Dtype", $"{dtype} is not a compute dtype; use float32, bfloat16 or float16"),
    };
}
