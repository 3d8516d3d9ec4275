using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Models.Quantization;

/// <summary>
/// How a transformer's projection layers are quantized, weights only: <see cref="Bits"/> 8 is symmetric int8 with one scale
/// per output channel; 4 is asymmetric uint4 in groups of <see cref="GroupSize"/> input features along each output row,
/// each group with its own scale and integer zero point, two values packed per byte. Activations, embeddings, norms,
/// biases and the output head stay float32. Saved in a checkpoint's config as <c>quantization</c> (<see cref="ToJson"/>).
/// </summary>
public sealed record QuantizationOptions
{
    /// <summary>The group size 4-bit quantization takes when none is given.</summary>
    public const int DefaultGroupSize = 64;

    /// <summary>The 8-bit scheme's name in config.json.</summary>
    public const string Int8Scheme = "int8-symmetric-per-channel";

    /// <summary>The 4-bit scheme's name in config.json.</summary>
    public const string Int4Scheme = "uint4-asymmetric-group";

    /// <summary>Bits per weight: 8 or 4.</summary>
    public int Bits { get; init; } = 8;

    /// <summary>Input features sharing one scale and zero point (4-bit only; null: <see cref="DefaultGroupSize"/>).</summary>
    public int? GroupSize { get; init; }

    /// <summary>The group size in force: 4-bit's, or 0 for 8-bit (one scale per whole output row).</summary>
    public int EffectiveGroupSize => Bits == 4 ? GroupSize ?? DefaultGroupSize : 0;

    /// <summary>The scheme's name in config.json.</summary>
    public string Scheme => Bits == 8 ? Int8Scheme : Int4Scheme;

    /// <summary>Refuses anything but 8 or 4 bits, and a group size that is not a positive even number or is given for 8 bits.</summary>
    public QuantizationOptions Validate()
    {
        if (Bits is not (8 or 4))
            throw LoomUsageException.ForOption(nameof(Bits), $"must be 8 or 4, got {Bits}");
        if (GroupSize is { } group && Bits == 8)
            throw LoomUsageException.ForOption(nameof(GroupSize), "applies to 4-bit only; 8-bit keeps one scale per output channel");
        if (GroupSize is { } size && (size < 2 || size % 2 != 0))
            throw LoomUsageException.ForOption(nameof(GroupSize), $"must be a positive even number (32, 64, 128 …), got {size}");
        return this;
    }

    /// <summary>The <c>quantization</c> entry of a checkpoint's config.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["bits"] = Bits, ["scheme"] = Scheme };
        if (Bits == 4)
            json["group_size"] = EffectiveGroupSize;
        return json;
    }

    /// <summary>Reads a config's <c>quantization</c> entry; <paramref name="source"/> names the file in errors.</summary>
    public static QuantizationOptions FromJson(JsonNode? node, string source)
    {
        if (node is not JsonObject json)
            throw new LoomDataException($"{source}: 'quantization' must be an object with bits, scheme and (4-bit) group_size");
        int bits = ReadInt(json, "bits", source);
        var options = new QuantizationOptions { Bits = bits, GroupSize = bits == 4 ? ReadInt(json, "group_size", source) : null };
        try
        {
            options.Validate();
        }
        catch (LoomUsageException e)
        {
            throw new LoomDataException($"{source}: quantization {e.Message}");
        }
        var scheme = json["scheme"] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
        if (scheme != options.Scheme)
            throw new LoomDataException(
                $"{source}: quantization scheme '{scheme}' is not {options.Scheme}, the {bits}-bit scheme Loom reads");
        return options;
    }

    private static int ReadInt(JsonObject json, string key, string source) =>
        json[key] is JsonValue value && value.TryGetValue<int>(out var number)
            ? number
            : throw new LoomDataException($"{source}: quantization needs an integer '{key}'");
}
