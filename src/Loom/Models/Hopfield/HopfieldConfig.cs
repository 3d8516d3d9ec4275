using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;

namespace Loom.Models.Hopfield;

/// <summary>A Hopfield model's settings as config.json holds them.</summary>
public sealed record HopfieldConfig
{
    public required HopfieldRule Rule { get; init; }
    /// <summary>β of the modern network.</summary>
    public double Beta { get; init; } = 1.0;
    /// <summary>Retrieve with the modern network (one update) instead of the classical one.</summary>
    public bool Modern { get; init; }
    /// <summary>Fraction of units a sample's query flips.</summary>
    public double Noise { get; init; } = 0.1;
    /// <summary>Sweeps of asynchronous updates at most.</summary>
    public int MaxSweeps { get; init; } = 100;
    /// <summary>[C, H, W] for images, [N] for vectors.</summary>
    public required long[] SampleShape { get; init; }
    public bool Images { get; init; }

    public JsonObject ToJson() => new()
    {
        ["rule"] = HopfieldRules.Name(Rule), ["beta"] = Beta, ["modern"] = Modern, ["noise"] = Noise, ["max_sweeps"] = MaxSweeps,
        ["sample_shape"] = new JsonArray(SampleShape.Select(s => (JsonNode)s).ToArray()), ["images"] = Images,
    };

    public static HopfieldConfig FromJson(JsonObject config)
    {
        var values = new ConfigValues(config);
        return new HopfieldConfig
        {
            Rule = HopfieldRules.Parse(values.String("rule"), "rule"),
            Beta = values.Double("beta", 0, double.MaxValue, 1.0),
            Modern = values.Bool("modern", false),
            Noise = values.Double("noise", 0, 1, 0.1),
            MaxSweeps = values.Int("max_sweeps", 1, int.MaxValue, 100),
            SampleShape = values.Longs("sample_shape", 1, 1 << 24, 3),
            Images = values.Bool("images", false),
        };
    }
}
