using System.Text.Json.Nodes;
using Loom.IO.Checkpoints;

namespace Loom.Models.Boltzmann;

/// <summary>
/// An RBM's hyperparameters as config.json holds them: layer sizes, the visible type, the sample shape (images or
/// vectors), the Gibbs steps a sample runs, the AIS settings of log Z and, once estimated, log Z itself.
/// </summary>
public sealed record RbmConfig
{
    public required int VisibleUnits { get; init; }
    public required int HiddenUnits { get; init; }
    public required RbmVisible Visible { get; init; }
    /// <summary>[C, H, W] for images, [V] for vectors.</summary>
    public required long[] SampleShape { get; init; }
    public bool Images { get; init; }
    /// <summary>Block Gibbs steps from the base-rate model to a sample.</summary>
    public int SampleSteps { get; init; } = 1000;
    /// <summary>How log Z is estimated when it cannot be enumerated.</summary>
    public AisOptions Ais { get; init; } = new();
    /// <summary>log Z with its standard error and method, when known.</summary>
    public LogPartition? LogPartition { get; init; }

    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["visible_units"] = VisibleUnits,
            ["hidden_units"] = HiddenUnits,
            ["visible"] = RbmVisibleNames.Name(Visible),
            ["sample_shape"] = new JsonArray(SampleShape.Select(s => (JsonNode)s).ToArray()),
            ["images"] = Images,
            ["sample_steps"] = SampleSteps,
            ["ais_chains"] = Ais.Chains,
            ["ais_betas"] = Ais.Betas,
            ["ais_seed"] = Ais.Seed,
        };
        if (LogPartition is { } z)
        {
            json["log_z"] = z.LogZ;
            json["log_z_stderr"] = z.StandardError;
            json["log_z_method"] = z.Method;
        }
        return json;
    }

    public static RbmConfig FromJson(JsonObject config)
    {
        var values = new ConfigValues(config);
        return new RbmConfig
        {
            VisibleUnits = values.Int("visible_units", 1, 1 << 24),
            HiddenUnits = values.Int("hidden_units", 1, 1 << 24),
            Visible = RbmVisibleNames.Parse(values.String("visible"), "visible"),
            SampleShape = values.Longs("sample_shape", 1, 1 << 24, 3),
            Images = values.Bool("images", false),
            SampleSteps = values.Int("sample_steps", 1, int.MaxValue, 1000),
            Ais = new AisOptions
            {
                Chains = values.Int("ais_chains", 2, int.MaxValue, 100), Betas = values.Int("ais_betas", 2, int.MaxValue, 10000),
                Seed = values.Long("ais_seed", long.MinValue, long.MaxValue, 0),
            },
            LogPartition = values.Has("log_z")
                ? new LogPartition(values.Double("log_z", double.MinValue, double.MaxValue),
                    values.Double("log_z_stderr", 0, double.MaxValue, 0), values.String("log_z_method", "ais"))
                : null,
        };
    }
}
