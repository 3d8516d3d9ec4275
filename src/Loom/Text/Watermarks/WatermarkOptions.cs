using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Loom.Core;

namespace Loom.Text.Watermarks;

/// <summary>
/// The green-list watermark of Kirchenbauer et al. (2023), "A Watermark for Large Language Models": at each step a secret
/// <see cref="Key"/> and the context pick a fraction <see cref="Gamma"/> of the vocabulary (the green list) and
/// <see cref="Delta"/> is added to those tokens' logits. Anyone holding the key (and <see cref="Gamma"/>,
/// <see cref="Seeding"/>) can count green tokens in a text and test for the watermark (<see cref="WatermarkDetector"/>).
/// Serialises with snake_case names inside generation settings.
/// </summary>
public sealed class WatermarkOptions
{
    /// <summary>The secret; only its SHA-256 digest seeds green lists. A numeric key is its decimal text (<see cref="FromKey"/>).</summary>
    [JsonPropertyName("key")] public string Key { get; set; } = "";

    /// <summary>Fraction of the vocabulary on each green list, in (0, 1); the list holds round(γ × vocabulary) tokens.</summary>
    [JsonPropertyName("gamma")] public double Gamma { get; set; } = 0.25;

    /// <summary>Added to green tokens' logits (≥ 0); 0 marks nothing, so detection sees plain text.</summary>
    [JsonPropertyName("delta")] public double Delta { get; set; } = 2.0;

    /// <summary>What seeds each position's green list.</summary>
    [JsonPropertyName("seeding")]
    [JsonConverter(typeof(SeedingJsonConverter))]
    public WatermarkSeeding Seeding { get; set; } = WatermarkSeeding.PreviousToken;

    /// <summary>Options whose key is the decimal text of <paramref name="key"/>.</summary>
    public static WatermarkOptions FromKey(ulong key) => new() { Key = key.ToString(CultureInfo.InvariantCulture) };

    /// <summary>A copy that changes independently of this one.</summary>
    public WatermarkOptions Clone() => (WatermarkOptions)MemberwiseClone();

    /// <summary>Throws <see cref="LoomUsageException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Key))
            throw LoomUsageException.ForOption(nameof(Key), "a watermark needs a non-empty secret key");
        if (!(Gamma > 0 && Gamma < 1))
            throw LoomUsageException.ForOption(nameof(Gamma), $"must be in (0, 1), got {Gamma.ToString(CultureInfo.InvariantCulture)}");
        if (!(Delta >= 0 && double.IsFinite(Delta)))
            throw LoomUsageException.ForOption(nameof(Delta),
                $"must be a finite number ≥ 0, got {Delta.ToString(CultureInfo.InvariantCulture)}");
        if (!Enum.IsDefined(Seeding))
            throw LoomUsageException.ForOption(nameof(Seeding), $"unknown seeding {(int)Seeding}; expected PreviousToken or SelfHash");
    }

    /// <summary>Parses a seeding name as a user writes it: previous-token, previous_token, PreviousToken, self-hash, selfhash…</summary>
    public static WatermarkSeeding ParseSeeding(string name)
    {
        var plain = (name ?? "").Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        return plain.ToLowerInvariant() switch
        {
            "previoustoken" or "lefthash" => WatermarkSeeding.PreviousToken,
            "selfhash" => WatermarkSeeding.SelfHash,
            _ => throw LoomUsageException.ForOption(nameof(Seeding), $"unknown seeding '{name}'; expected previous-token or self-hash"),
        };
    }

    private sealed class SeedingJsonConverter() : JsonStringEnumConverter<WatermarkSeeding>(JsonNamingPolicy.SnakeCaseLower, false);
}
