using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// Everything that defines a trained CycleGAN apart from its weights: the image size, the widths and depths of the two
/// ResNet generators and the two PatchGAN discriminators, and the two domains (names, and the Fashion-MNIST class
/// each was drawn from when it was one). Round-trips through config.json.
/// </summary>
public sealed record CycleGanConfig
{
    /// <summary>Image channels (1 = greyscale).</summary>
    public int Channels { get; init; } = 1;
    public int Height { get; init; } = 28;
    public int Width { get; init; } = 28;
    /// <summary>Generator channels at full resolution; each downsampling doubles them.</summary>
    public int BaseChannels { get; init; } = 32;
    /// <summary>Stride-2 downsamplings in the generator (28 → 14 → 7 for two); the upsampling path mirrors them.</summary>
    public int Downsamples { get; init; } = 2;
    /// <summary>Residual blocks at the generator's lowest resolution.</summary>
    public int ResBlocks { get; init; } = 4;
    /// <summary>Discriminator channels after its first convolution; each stride-2 layer doubles them (capped at 8×).</summary>
    public int DiscriminatorChannels { get; init; } = 32;
    /// <summary>Stride-2 convolutions in the discriminator (28 → 14 → 7 for two); the patch map has the last size.</summary>
    public int DiscriminatorLayers { get; init; } = 2;
    /// <summary>Name of domain A, e.g. <c>Sandal</c> or a folder name.</summary>
    public string DomainA { get; init; } = "A";
    public string DomainB { get; init; } = "B";
    /// <summary>Fashion-MNIST class of domain A (null when the domain came from a folder of PNGs).</summary>
    public int? DomainAClass { get; init; }
    public int? DomainBClass { get; init; }
    /// <summary><c>fashion-mnist</c>, or <c>folders</c> for two folders of PNGs.</summary>
    public string DataName { get; init; } = "";
    /// <summary>
    /// The networks' floating-point type: <c>float32</c>, or <c>float64</c>, which on CPU takes libtorch's plain
    /// convolution instead of oneDNN's: free of the intermittent NaN gradients (docs/cyclegan.md), faster for tiny
    /// networks and about 10× slower at the default widths.
    /// </summary>
    public string DType { get; init; } = "float32";

    public TorchSharp.torch.ScalarType ScalarType =>
        DType == "float64" ? TorchSharp.torch.ScalarType.Float64 : TorchSharp.torch.ScalarType.Float32;

    /// <summary>The shape of one image, [C, H, W].</summary>
    public long[] ImageShape => [Channels, Height, Width];

    /// <summary>Throws <see cref="LoomUsageException"/> when the networks cannot be built for this image size.</summary>
    public void Validate()
    {
        if (DType is not ("float32" or "float64")) throw LoomUsageException.ForOption(nameof(DType),
            $"'{DType}' is not supported; use float32 or float64");
        if (Channels is not (1 or 3)) throw new LoomUsageException($"cyclegan: images must have 1 or 3 channels, got {Channels}");
        if (BaseChannels < 1) throw LoomUsageException.ForOption(nameof(BaseChannels), $"must be positive, got {BaseChannels}");
        if (DiscriminatorChannels < 1) throw LoomUsageException.ForOption(nameof(DiscriminatorChannels),
            $"must be positive, got {DiscriminatorChannels}");
        if (ResBlocks < 0) throw LoomUsageException.ForOption(nameof(ResBlocks), $"must be non-negative, got {ResBlocks}");
        if (Downsamples is < 0 or > 4) throw LoomUsageException.ForOption(nameof(Downsamples),
            $"must be between 0 and 4, got {Downsamples}");
        if (DiscriminatorLayers is < 1 or > 4) throw LoomUsageException.ForOption(nameof(DiscriminatorLayers),
            $"must be between 1 and 4, got {DiscriminatorLayers}");
        int factor = 1 << Downsamples;
        if (Height % factor != 0 || Width % factor != 0)
            throw LoomUsageException.ForOption(nameof(Downsamples),
                $"{Downsamples} halvings need the image size to be divisible by {factor}; the images are {Width}×{Height}");
        // Reflection padding needs the padded map to be larger than the pad: 3 at full resolution, 1 at the lowest.
        if (Height < 4 || Width < 4 || Height / factor < 2 || Width / factor < 2)
            throw new LoomUsageException($"cyclegan: {Width}×{Height} images are too small for {Downsamples} downsamplings");
        if (Math.Min(Height, Width) >> DiscriminatorLayers < 1)
            throw LoomUsageException.ForOption(nameof(DiscriminatorLayers),
                $"{DiscriminatorLayers} stride-2 layers leave no patch map on {Width}×{Height} images");
    }

    public ResnetGenerator CreateGenerator() => new(Channels, BaseChannels, Downsamples, ResBlocks);

    public PatchDiscriminator CreateDiscriminator() => new(Channels, DiscriminatorChannels, DiscriminatorLayers);

    public JsonObject ToJson() => new()
    {
        ["channels"] = Channels,
        ["height"] = Height,
        ["width"] = Width,
        ["generator"] = new JsonObject { ["base_channels"] = BaseChannels, ["downsamples"] = Downsamples, ["res_blocks"] = ResBlocks },
        ["discriminator"] = new JsonObject { ["channels"] = DiscriminatorChannels, ["layers"] = DiscriminatorLayers },
        ["domain_a"] = new JsonObject { ["name"] = DomainA, ["class"] = DomainAClass },
        ["domain_b"] = new JsonObject { ["name"] = DomainB, ["class"] = DomainBClass },
        ["data"] = DataName,
        ["dtype"] = DType,
    };

    /// <summary>
    /// A lower bound on the weights of both generators and discriminators (first convolutions, residual blocks), so a
    /// checkpoint's config can be checked against its weights before anything is allocated.
    /// </summary>
    public double MinimumParameters() => 2.0 * ((double)Channels * BaseChannels + (double)Channels * DiscriminatorChannels
        + (double)ResBlocks * Math.Pow((double)BaseChannels * (1 << Downsamples), 2));

    // A domain's Fashion-MNIST class: null (a folder of PNGs) or a class index.
    private static int? DomainClass(JsonNode? domain, IO.Checkpoints.ConfigValues values) =>
        domain?["class"] is null ? null : values.Int("class", 0, 1 << 16);

    public static CycleGanConfig FromJson(JsonObject json)
    {
        try
        {
            // Typed and ranged before anything is built: a dimension edited to 10^9 must not allocate the networks.
            var v = new IO.Checkpoints.ConfigValues(json);
            var generator = v.Object("generator");
            var discriminator = v.Object("discriminator");
            var a = v.Object("domain_a");
            var b = v.Object("domain_b");
            var config = new CycleGanConfig
            {
                Channels = v.Int("channels", 1, 64),
                Height = v.Int("height", 1, 1 << 14),
                Width = v.Int("width", 1, 1 << 14),
                BaseChannels = generator.Int("base_channels", 1, 1 << 14),
                Downsamples = generator.Int("downsamples", 0, 4),
                ResBlocks = generator.Int("res_blocks", 0, 1024),
                DiscriminatorChannels = discriminator.Int("channels", 1, 1 << 14),
                DiscriminatorLayers = discriminator.Int("layers", 1, 4),
                DomainA = a.String("name"),
                DomainAClass = DomainClass(json["domain_a"], a),
                DomainB = b.String("name"),
                DomainBClass = DomainClass(json["domain_b"], b),
                DataName = v.String("data", ""),
                DType = v.String("dtype", "float32"),
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (
            e is NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException or LoomUsageException)
        {
            throw new LoomDataException($"cyclegan config.json is incomplete or malformed: {e.Message}");
        }
    }
}
