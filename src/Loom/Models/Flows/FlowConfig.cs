using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Flows;

/// <summary>
/// The hyperparameters that fix a flow's layers (saved as config.json): the architecture, the data's shape (vectors of
/// <see cref="Dimensions"/>, or images of <see cref="Image"/>), the number of layers (couplings, MAF layers or Glow steps;
/// per scale for images), the conditioner networks' width and depth, spline bins and tail bound, image scales and the
/// logit pre-transform's α, and the seed of the fixed permutations.
/// </summary>
public sealed record FlowConfig
{
    public FlowArchitecture Architecture { get; init; } = FlowArchitecture.RealNvp;
    /// <summary>Vector dimensions (for images: channels × height × width).</summary>
    public int Dimensions { get; init; } = 2;
    /// <summary>The image shape; null for vector data.</summary>
    public ImageShape? Image { get; init; }
    public int Layers { get; init; } = 8;
    public int Hidden { get; init; } = 128;
    public int HiddenLayers { get; init; } = 2;
    public int Bins { get; init; } = 8;
    public double TailBound { get; init; } = 4;
    public int Scales { get; init; } = 2;
    public double LogitAlpha { get; init; } = 1e-6;
    public long Seed { get; init; }

    /// <summary>Checks the values; errors name the recipe property.</summary>
    public void Validate()
    {
        if (Layers is < 1 or > 256) throw LoomUsageException.ForOption(nameof(Layers), $"must be 1 to 256, got {Layers}");
        if (Hidden is < 1 or > 8192) throw LoomUsageException.ForOption(nameof(Hidden), $"must be 1 to 8192, got {Hidden}");
        if (HiddenLayers is < 1 or > 16) throw LoomUsageException.ForOption(nameof(HiddenLayers), $"must be 1 to 16, got {HiddenLayers}");
        if (Bins is < 2 or > 256) throw LoomUsageException.ForOption(nameof(Bins), $"must be 2 to 256, got {Bins}");
        if (!(TailBound > 0) || !double.IsFinite(TailBound))
            throw LoomUsageException.ForOption(nameof(TailBound), $"must be a positive number, got {TailBound}");
        if (!(LogitAlpha is >= 0 and < 0.5))
            throw LoomUsageException.ForOption(nameof(LogitAlpha), $"must be in [0, 0.5), got {LogitAlpha}");
        if (Dimensions < 1) throw new LoomDataException($"a flow needs at least one dimension, got {Dimensions}");
        if (Image is null)
            return;
        if (!Architecture.SupportsImages())
            throw LoomUsageException.ForOption("Architecture", $"{Architecture.Name()} is for vectors; images take realnvp or glow");
        if (Scales is < 1 or > 6) throw LoomUsageException.ForOption(nameof(Scales), $"must be 1 to 6, got {Scales}");
        // Every scale squeezes once (Glow) or all but the last do (RealNVP): the sides must halve evenly that often.
        int squeezes = Architecture == FlowArchitecture.Glow ? Scales : Scales - 1;
        long h = Image.Height, w = Image.Width;
        for (int i = 0; i < squeezes; i++, h /= 2, w /= 2)
            Squeeze.RequireEven(h, w);
    }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["architecture"] = Architecture.Name(), ["dimensions"] = Dimensions, ["layers"] = Layers, ["hidden"] = Hidden,
            ["hidden_layers"] = HiddenLayers, ["bins"] = Bins, ["tail_bound"] = TailBound, ["scales"] = Scales,
            ["logit_alpha"] = LogitAlpha, ["seed"] = Seed,
        };
        if (Image is not null)
            json["image"] = Image.ToJson();
        return json;
    }

    public static FlowConfig FromJson(JsonObject json)
    {
        var values = new ConfigValues(json);
        var image = ImageShape.FromConfig(values);
        var config = new FlowConfig
        {
            Architecture = FlowArchitectures.Parse(values.String("architecture")), Dimensions = values.Int("dimensions", 1, 1 << 24),
            Image = image, Layers = values.Int("layers", 1, 256), Hidden = values.Int("hidden", 1, 8192),
            HiddenLayers = values.Int("hidden_layers", 1, 16), Bins = values.Int("bins", 2, 256),
            TailBound = values.Double("tail_bound", 1e-9, 1e9), Scales = values.Int("scales", 1, 6),
            LogitAlpha = values.Double("logit_alpha", 0, 0.5), Seed = values.Long("seed", long.MinValue, long.MaxValue),
        };
        config.Validate();
        return config;
    }
}
