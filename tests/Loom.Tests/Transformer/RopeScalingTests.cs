using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;
using Loom.Models.Transformer;
using TorchSharp;

namespace Loom.Tests.Transformer;

/// <summary>
/// Inverse frequencies of each scaling rule for head width 8 and θ = 10⁴, worked out by hand from HF's
/// modeling_rope_utils formulas: the plain ones are 10⁴^(−2i/8) = 1, 0.1, 0.01, 0.001.
/// </summary>
public sealed class RopeScalingTests
{
    private static readonly double[] Plain = [1, 0.1, 0.01, 0.001];

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * expected[i],
                $"frequency {i}: {actual[i]:R}, expected {expected[i]:R}");
    }

    [Fact]
    public void None_is_the_plain_rule() => AssertClose(Plain, RopeScaling.None.InverseFrequencies(8, 10000, 100));

    [Fact]
    public void Linear_divides_every_frequency_by_the_factor() =>
        AssertClose([0.25, 0.025, 0.0025, 0.00025],
            new RopeScaling { Kind = RopeScalingKind.Linear, Factor = 4 }.InverseFrequencies(8, 10000, 100));

    [Fact]
    public void Llama3_keeps_high_scales_low_and_blends_between()
    {
        // Original context 1024, low factor 1, high factor 4: wavelengths under 1024/4 = 256 are kept, over 1024/1 are divided
        // by 8. Wavelengths 2π/f: 6.28 and 62.8 (kept), 628.3 (blended), 6283 (divided).
        var scaling = new RopeScaling
        {
            Kind = RopeScalingKind.Llama3, Factor = 8, LowFrequencyFactor = 1, HighFrequencyFactor = 4, OriginalContext = 1024,
        };
        double blend = (1024 / (2 * Math.PI / 0.01) - 1) / (4 - 1);   // (context / wavelength − low) / (high − low) ≈ 0.2099
        AssertClose([1, 0.1, (1 - blend) * 0.01 / 8 + blend * 0.01, 0.001 / 8], scaling.InverseFrequencies(8, 10000, 100));
        Assert.InRange(blend, 0.2099, 0.2100);
    }

    [Fact]
    public void Dynamic_grows_the_base_only_past_the_original_context()
    {
        var scaling = new RopeScaling { Kind = RopeScalingKind.Dynamic, Factor = 2, OriginalContext = 16 };
        AssertClose(Plain, scaling.InverseFrequencies(8, 10000, 16));
        // 32 tokens: base' = 10⁴ · (2·32/16 − 1)^(8/6) = 10⁴ · 3^(4/3), so frequency i = 10⁴^(−i/4) · 3^(−i/3).
        AssertClose([1, 0.1 * Math.Pow(3, -1.0 / 3), 0.01 * Math.Pow(3, -2.0 / 3), 0.001 / 3], scaling.InverseFrequencies(8, 10000, 32));
    }

    [Fact]
    public void Dynamic_angles_follow_the_longest_position_of_the_call()
    {
        var rotary = new RotaryEmbedding(8, 10000, new RopeScaling { Kind = RopeScalingKind.Dynamic, Factor = 2, OriginalContext = 16 });
        using var shortPositions = torch.tensor(new long[] { 5 }).view(1, 1);
        using var longPositions = torch.tensor(new long[] { 5, 31 }).view(1, 2);
        var (shortCos, _) = rotary.Angles(shortPositions, torch.ScalarType.Float32);
        var (longCos, _) = rotary.Angles(longPositions, torch.ScalarType.Float32);
        // Position 5's third pair: angle 5·0.01 alone, 5·0.01·3^(−2/3) when the call reaches position 31.
        Assert.Equal(Math.Cos(0.05), shortCos[0, 0, 0, 2].ToDouble(), 6);
        Assert.Equal(Math.Cos(0.05 * Math.Pow(3, -2.0 / 3)), longCos[0, 0, 0, 2].ToDouble(), 6);
    }

    [Fact]
    public void Scaling_round_trips_through_json()
    {
        var scaling = new RopeScaling
        {
            Kind = RopeScalingKind.Llama3, Factor = 8, LowFrequencyFactor = 1, HighFrequencyFactor = 4, OriginalContext = 8192,
        };
        var json = JsonNode.Parse(scaling.ToJson().ToJsonString())!.AsObject();
        Assert.Equal(scaling, RopeScaling.FromJson(new ConfigValues(json)));
    }
}
