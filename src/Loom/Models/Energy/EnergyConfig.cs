using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Energy;

/// <summary>
/// The hyperparameters that fix an energy-based model (saved as config.json): the data's shape (vectors of
/// <see cref="Dimensions"/> or images of <see cref="Image"/>), the network's width and depth, spectral normalization,
/// the data range [<see cref="Low"/>, <see cref="High"/>] that sampling starts from (uniform noise) and clamps to, and
/// the default SGLD sampler <c>loom sample</c> runs (<see cref="SampleSteps"/>, <see cref="StepSize"/>,
/// <see cref="Noise"/>). A joint energy model (JEM, Grathwohl et al. 2020) has <see cref="ClassNames"/>: its network's
/// outputs are class logits f(x), E(x) = −log Σ_y exp f(x)[y] and E(x, y) = −f(x)[y].
/// </summary>
public sealed record EnergyConfig
{
    /// <summary>Vector dimensions (for images: channels × height × width).</summary>
    public int Dimensions { get; init; } = 2;
    /// <summary>The image shape; null for vector data (an MLP energy).</summary>
    public ImageShape? Image { get; init; }
    /// <summary>MLP width, or the conv net's base channels.</summary>
    public int Hidden { get; init; } = 128;
    /// <summary>Hidden layers of the MLP (the conv net has a fixed depth).</summary>
    public int Layers { get; init; } = 3;
    public bool SpectralNorm { get; init; }
    public double Low { get; init; } = -1;
    public double High { get; init; } = 1;
    public int SampleSteps { get; init; } = 200;
    public double StepSize { get; init; } = 0.01;
    public double Noise { get; init; } = 0.1;
    /// <summary>The classes of a joint energy model (JEM); empty = a plain energy.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>The classes of a joint model; 0 = a plain energy.</summary>
    public int NumClasses => ClassNames.Count;

    /// <summary>The SGLD sampler <c>loom sample</c> runs from uniform noise, clamped to the data range.</summary>
    public SgldOptions Sampler(int? steps = null) =>
        new() { Steps = steps ?? SampleSteps, StepSize = StepSize, Noise = Noise, Low = Low, High = High };

    /// <summary>The shape of one example.</summary>
    public long[] SampleShape => Image is { } i ? [i.Channels, i.Height, i.Width] : [Dimensions];

    /// <summary>Checks the values; errors name the recipe property.</summary>
    public void Validate()
    {
        if (Hidden is < 1 or > 8192) throw LoomUsageException.ForOption(nameof(Hidden), $"must be 1 to 8192, got {Hidden}");
        if (Layers is < 1 or > 16) throw LoomUsageException.ForOption(nameof(Layers), $"must be 1 to 16, got {Layers}");
        if (Dimensions < 1) throw new LoomDataException($"an energy model needs at least one dimension, got {Dimensions}");
        if (!double.IsFinite(Low) || !double.IsFinite(High) || !(Low < High))
            throw new LoomDataException($"the data range must be finite with low < high, got [{Low}, {High}]");
        Sampler().Validate();
        if (NumClasses == 1) throw LoomUsageException.ForOption("Joint", "a joint energy model needs at least two classes, got one");
        if (Image is { } image && (image.Height < 8 || image.Width < 8))
            throw LoomUsageException.ForOption("Data", $"the conv energy needs images of at least 8×8, got {image.Size}");
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["dimensions"] = Dimensions, ["hidden"] = Hidden, ["layers"] = Layers, ["spectral_norm"] = SpectralNorm, ["low"] = Low,
            ["high"] = High, ["sample_steps"] = SampleSteps, ["step_size"] = StepSize, ["noise"] = Noise,
        };
        if (Image is not null)
            json["image"] = Image.ToJson();
        if (NumClasses > 0)
            json["class_names"] = new JsonArray(ClassNames.Select(c => (JsonNode)c).ToArray());
        return json;
    }

    public static EnergyConfig FromJson(JsonObject json)
    {
        var values = new ConfigValues(json);
        var image = ImageShape.FromConfig(values);
        var config = new EnergyConfig
        {
            Dimensions = values.Int("dimensions", 1, 1 << 24), Image = image, Hidden = values.Int("hidden", 1, 8192),
            Layers = values.Int("layers", 1, 16), SpectralNorm = values.Bool("spectral_norm"),
            Low = values.Double("low", double.MinValue, double.MaxValue), High = values.Double("high", double.MinValue, double.MaxValue),
            SampleSteps = values.Int("sample_steps", 0, 100_000), StepSize = values.Double("step_size", 0, double.MaxValue),
            Noise = values.Double("noise", 0, double.MaxValue), ClassNames = values.Strings("class_names", []),
        };
        config.Validate();
        return config;
    }
}
