using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Models.Adversarial;

/// <summary>
/// Everything that defines a trained GAN apart from its weights: the loss it was trained with, both networks' shapes,
/// the data's shape, range and classes. Round-trips through config.json.
/// </summary>
public sealed record GanConfig
{
    /// <summary>non-saturating, wgan-gp or hinge (see <see cref="GanLosses"/>).</summary>
    public GanLossKind Loss { get; init; } = GanLossKind.NonSaturating;
    /// <summary>mlp (vectors) or dcgan (28×28 images).</summary>
    public string Network { get; init; } = "dcgan";
    /// <summary>Spectral normalization of the discriminator's layers.</summary>
    public bool SpectralNorm { get; init; }
    /// <summary>BatchNorm inside the convolutional discriminator (DCGAN); the MLP discriminator has none.</summary>
    public bool DiscriminatorBatchNorm { get; init; } = true;
    public int LatentDim { get; init; } = 64;
    /// <summary>MLP hidden width.</summary>
    public int Width { get; init; } = 128;
    /// <summary>MLP hidden layers (generator and discriminator alike).</summary>
    public int Layers { get; init; } = 3;
    /// <summary>Conditional DCGAN generator: class-conditional BatchNorm (<see cref="ClassConditionalBatchNorm"/>).</summary>
    public bool ClassNorm { get; init; }
    /// <summary>Conditional GAN: the discriminator's head also has an auxiliary classifier (AC-GAN).</summary>
    public bool AuxClassifier { get; init; }
    /// <summary>DCGAN base channels c.</summary>
    public int BaseChannels { get; init; } = 32;
    /// <summary>Shape of one sample, e.g. [1, 28, 28] or [2].</summary>
    public long[] SampleShape { get; init; } = [1, 28, 28];
    /// <summary>Images live in [0, 1] outside the model and in [−1, 1] inside.</summary>
    public bool Images { get; init; } = true;
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    public string DataName { get; init; } = "";
    /// <summary>
    /// Vectors: the training data's overall (min, max). The model works on (x − mid) / half-width, so the data lie in
    /// [−1, 1] inside, and <see cref="GanModel.Decode"/> maps samples back. Null = the data are used as they are.
    /// </summary>
    public (double Low, double High)? VectorRange { get; init; }

    public int NumClasses => ClassNames.Count;

    /// <summary>Checks the shapes fit the network; throws <see cref="LoomUsageException"/> naming the option.</summary>
    public void Validate()
    {
        if (LatentDim < 1) throw LoomUsageException.ForOption(nameof(LatentDim), $"must be at least 1, got {LatentDim}");
        if (Width < 1) throw LoomUsageException.ForOption(nameof(Width), $"must be at least 1, got {Width}");
        if (Layers < 1) throw LoomUsageException.ForOption(nameof(Layers), $"must be at least 1, got {Layers}");
        if (BaseChannels < 1) throw LoomUsageException.ForOption(nameof(BaseChannels), $"must be at least 1, got {BaseChannels}");
        if (ClassNorm && Network != "dcgan")
            throw LoomUsageException.ForOption(nameof(ClassNorm), "only the dcgan (image) generator has BatchNorm to condition");
        if (ClassNorm && NumClasses == 0)
            throw LoomUsageException.ForOption(nameof(ClassNorm), "needs class labels (a conditional GAN: loom train cgan)");
        if (AuxClassifier && NumClasses == 0)
            throw LoomUsageException.ForOption("ClassifierWeight", "needs class labels (a conditional GAN: loom train cgan)");
        switch (Network)
        {
            case "mlp" when SampleShape.Length != 1:
                throw new LoomDataException(
                    $"gan config: the mlp networks take vectors, not samples of shape [{string.Join(", ", SampleShape)}]");
            case "dcgan" when SampleShape.Length != 3 || SampleShape[1] != ConvGanConfig.Resolution
                || SampleShape[2] != ConvGanConfig.Resolution:
                throw new LoomDataException($"gan config: the dcgan networks take {ConvGanConfig.Resolution}×{ConvGanConfig.Resolution} "
                    + $"images, not samples of shape [{string.Join(", ", SampleShape)}]");
            case "mlp" or "dcgan":
                break;
            default:
                throw new LoomDataException($"gan config: unknown network '{Network}' (mlp, dcgan)");
        }
    }

    public GanGenerator CreateGenerator()
    {
        Validate();
        return Network == "mlp"
            ? new MlpGenerator(MlpShape())
            : new ConvGenerator(ConvShape());
    }

    public GanDiscriminator CreateDiscriminator()
    {
        Validate();
        return Network == "mlp"
            ? new MlpDiscriminator(MlpShape())
            : new ConvDiscriminator(ConvShape());
    }

    private MlpGanConfig MlpShape() => new((int)SampleShape[0], LatentDim, Width, Layers, NumClasses, SpectralNorm, AuxClassifier);

    private ConvGanConfig ConvShape() =>
        new((int)SampleShape[0], LatentDim, BaseChannels, NumClasses, DiscriminatorBatchNorm, SpectralNorm, ClassNorm, AuxClassifier);

    public JsonObject ToJson() => new()
    {
        ["loss"] = GanLosses.Name(Loss),
        ["network"] = Network,
        ["spectral_norm"] = SpectralNorm,
        ["discriminator_batch_norm"] = DiscriminatorBatchNorm,
        ["latent_dim"] = LatentDim,
        ["width"] = Width,
        ["layers"] = Layers,
        ["base_channels"] = BaseChannels,
        ["class_norm"] = ClassNorm,
        ["aux_classifier"] = AuxClassifier,
        ["sample_shape"] = new JsonArray(SampleShape.Select(s => (JsonNode)s).ToArray()),
        ["images"] = Images,
        ["class_names"] = new JsonArray(ClassNames.Select(c => (JsonNode)c).ToArray()),
        ["data"] = DataName,
        ["vector_range"] = VectorRange is { } r ? new JsonArray(r.Low, r.High) : null,
    };

    public static GanConfig FromJson(JsonObject json)
    {
        try
        {
            var v = new IO.Checkpoints.ConfigValues(json);
            var config = new GanConfig
            {
                Loss = GanLosses.Parse(v.String("loss")),
                Network = v.String("network"),
                SpectralNorm = v.Bool("spectral_norm"),
                DiscriminatorBatchNorm = v.Bool("discriminator_batch_norm"),
                LatentDim = v.Int("latent_dim", 1, 65_536),
                Width = v.Int("width", 1, 1 << 20),
                Layers = v.Int("layers", 1, 1024),
                BaseChannels = v.Int("base_channels", 1, 1 << 16),
                ClassNorm = v.Bool("class_norm", whenAbsent: false),
                AuxClassifier = v.Bool("aux_classifier", whenAbsent: false),
                SampleShape = v.Longs("sample_shape", 1, 1 << 24, 4),
                Images = v.Bool("images"),
                ClassNames = v.Strings("class_names", []),
                DataName = v.String("data", ""),
                VectorRange = ReadVectorRange(json["vector_range"]),
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (
            e is NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException or LoomUsageException)
        {
            throw new LoomDataException($"gan config.json is incomplete or malformed: {e.Message}");
        }
    }

    /// <summary>
    /// A lower bound on the generator's weights (its first and last layers), so a checkpoint's config can be checked
    /// against its weights before anything is allocated.
    /// </summary>
    public double MinimumParameters() => Network == "mlp"
        ? (double)LatentDim * Width + (double)Width * SampleShape[0]
        : (double)LatentDim * BaseChannels;

    // Written as null when the model works on the data as they are; otherwise [low, high], finite, low < high.
    private static (double Low, double High)? ReadVectorRange(JsonNode? node)
    {
        if (node is null)
            return null;
        if (node is not JsonArray { Count: 2 } pair || pair[0] is not JsonValue a || pair[1] is not JsonValue b
            || !a.TryGetValue(out double low) || !b.TryGetValue(out double high)
            || !double.IsFinite(low) || !double.IsFinite(high) || !(low < high))
            throw new LoomDataException(
                $"gan config.json: vector_range must be null or [low, high] with low < high, got {node.ToJsonString()}");
        return (low, high);
    }
}
