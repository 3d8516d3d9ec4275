using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Models.Latent.Quantized;

/// <summary>
/// Everything that defines a VQ-VAE with its PixelCNN prior apart from the weights: image shape, codebook, the conv
/// autoencoder's widths, the quantizer's EMA settings and the prior's shape and classes. Round-trips through config.json.
/// </summary>
public sealed record VqVaeConfig
{
    /// <summary>Image channels (1 for grey images).</summary>
    public int Channels { get; init; } = 1;
    /// <summary>Image height and width; a multiple of 4 (the encoder halves it twice).</summary>
    public int ImageSize { get; init; } = 28;
    /// <summary>K, the number of codes.</summary>
    public int NumCodes { get; init; } = 64;
    /// <summary>D, the dimension of a code.</summary>
    public int CodeDim { get; init; } = 16;
    /// <summary>Channels of the encoder's and decoder's convolutions.</summary>
    public int HiddenChannels { get; init; } = 64;
    public int ResidualBlocks { get; init; } = 2;
    /// <summary>Channels inside a residual block.</summary>
    public int ResidualChannels { get; init; } = 32;
    /// <summary>β, the commitment loss weight.</summary>
    public double Commitment { get; init; } = 0.25;
    /// <summary>γ, the decay of the codebook's moving averages.</summary>
    public double EmaDecay { get; init; } = 0.99;
    /// <summary>Codes whose EMA cluster size (vectors per batch) falls below this are restarted; 0 turns restarts off.</summary>
    public double DeadCodeThreshold { get; init; } = 1.0;
    /// <summary>Laplace smoothing constant of the cluster sizes.</summary>
    public double Epsilon { get; init; } = 1e-5;
    /// <summary>Channels of the prior's code embedding and masked layers.</summary>
    public int PriorChannels { get; init; } = 64;
    /// <summary>Gated residual masked layers (type B) after the first masked convolution (type A).</summary>
    public int PriorLayers { get; init; } = 4;
    /// <summary>Kernel size of the prior's first (type A) masked convolution.</summary>
    public int PriorInputKernel { get; init; } = 7;
    /// <summary>Kernel size of the prior's gated (type B) masked convolutions.</summary>
    public int PriorKernel { get; init; } = 3;
    /// <summary>Class names of a class-conditional prior; empty = unconditional.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    public string DataName { get; init; } = "";

    public int NumClasses => ClassNames.Count;
    /// <summary>Side of the code map: <see cref="ImageSize"/> / 4.</summary>
    public int LatentSize => ImageSize / 4;

    /// <summary>Throws <see cref="LoomUsageException"/> naming the option for a value the networks cannot be built with.</summary>
    public void Validate()
    {
        if (NumCodes < 2) throw LoomUsageException.ForOption(nameof(NumCodes), $"a codebook needs at least 2 codes, got {NumCodes}");
        if (CodeDim < 1) throw LoomUsageException.ForOption(nameof(CodeDim), $"must be at least 1, got {CodeDim}");
        if (Channels < 1) throw new LoomUsageException($"vqvae: images need at least 1 channel, got {Channels}");
        if (ImageSize < 4
            || ImageSize % 4 != 0) throw new LoomUsageException($"vqvae: the image size must be a positive multiple of 4, got {ImageSize}");
        if (HiddenChannels < 1) throw LoomUsageException.ForOption(nameof(HiddenChannels), $"must be at least 1, got {HiddenChannels}");
        if (ResidualBlocks < 0) throw LoomUsageException.ForOption(nameof(ResidualBlocks), $"must be non-negative, got {ResidualBlocks}");
        if (ResidualChannels < 1) throw LoomUsageException.ForOption(nameof(ResidualChannels),
            $"must be at least 1, got {ResidualChannels}");
        if (!(Commitment >= 0)
            || !double.IsFinite(Commitment)) throw LoomUsageException.ForOption(nameof(Commitment),
                $"must be a non-negative number, got {Commitment}");
        if (!(EmaDecay is > 0 and < 1)) throw LoomUsageException.ForOption(nameof(EmaDecay), $"must be in (0, 1), got {EmaDecay}");
        if (!(DeadCodeThreshold >= 0) || !double.IsFinite(DeadCodeThreshold)) throw LoomUsageException.ForOption(nameof(DeadCodeThreshold),
            $"must be a non-negative number, got {DeadCodeThreshold}");
        if (!(Epsilon > 0)) throw new LoomUsageException($"vqvae: the Laplace smoothing epsilon must be positive, got {Epsilon}");
        if (PriorChannels < 1) throw LoomUsageException.ForOption(nameof(PriorChannels), $"must be at least 1, got {PriorChannels}");
        if (PriorLayers < 0) throw LoomUsageException.ForOption(nameof(PriorLayers), $"must be non-negative, got {PriorLayers}");
        if (PriorInputKernel < 3 || PriorInputKernel % 2 == 0) throw new LoomUsageException(
            $"vqvae: the prior's first kernel must be odd and at least 3, got {PriorInputKernel}");
        if (PriorKernel < 1
            || PriorKernel % 2 == 0) throw new LoomUsageException($"vqvae: the prior's kernel must be odd and positive, got {PriorKernel}");
    }

    public VqVae CreateAutoencoder()
    {
        Validate();
        return OutsideDisposeScopes(new VqVae(this));
    }

    public PixelCnnPrior CreatePrior()
    {
        Validate();
        return OutsideDisposeScopes(new PixelCnnPrior(this));
    }

    /// <summary>
    /// TorchSharp registers a module's new parameters in the caller's open dispose scope (if any), which would free
    /// them when that scope ends; the networks must outlive it.
    /// </summary>
    private static T OutsideDisposeScopes<T>(T module) where T : TorchSharp.torch.nn.Module
    {
        foreach (var p in module.parameters()) p.DetachFromDisposeScope();
        foreach (var b in module.buffers()) b.DetachFromDisposeScope();
        return module;
    }

    public JsonObject ToJson() => new()
    {
        ["channels"] = Channels,
        ["image_size"] = ImageSize,
        ["codes"] = NumCodes,
        ["code_dim"] = CodeDim,
        ["hidden_channels"] = HiddenChannels,
        ["residual_blocks"] = ResidualBlocks,
        ["residual_channels"] = ResidualChannels,
        ["commitment"] = Commitment,
        ["ema_decay"] = EmaDecay,
        ["dead_code_threshold"] = DeadCodeThreshold,
        ["epsilon"] = Epsilon,
        ["prior"] = new JsonObject
        {
            ["channels"] = PriorChannels, ["layers"] = PriorLayers, ["input_kernel"] = PriorInputKernel, ["kernel"] = PriorKernel,
        },
        ["class_names"] = new JsonArray(ClassNames.Select(c => (JsonNode)c).ToArray()),
        ["data"] = DataName,
    };

    /// <summary>
    /// A lower bound on the weights of a model of this configuration (codebook, first convolution, the prior's first
    /// layer), so a checkpoint's config can be checked against its weights before anything is allocated.
    /// </summary>
    public double MinimumParameters() =>
        (double)NumCodes * CodeDim + (double)HiddenChannels * Channels + (double)PriorChannels * PriorInputKernel;

    public static VqVaeConfig FromJson(JsonObject json)
    {
        try
        {
            // Typed and ranged before anything is built: a dimension edited to 10^9 must not allocate the network.
            var v = new IO.Checkpoints.ConfigValues(json);
            var prior = v.Object("prior");
            var config = new VqVaeConfig
            {
                Channels = v.Int("channels", 1, 64),
                ImageSize = v.Int("image_size", 4, 4096),
                NumCodes = v.Int("codes", 2, 65_536),
                CodeDim = v.Int("code_dim", 1, 1 << 16),
                HiddenChannels = v.Int("hidden_channels", 1, 1 << 16),
                ResidualBlocks = v.Int("residual_blocks", 0, 1024),
                ResidualChannels = v.Int("residual_channels", 1, 1 << 16),
                Commitment = v.Double("commitment", 0, 1e12),
                EmaDecay = v.Double("ema_decay", 0, 1),
                DeadCodeThreshold = v.Double("dead_code_threshold", 0, 1e12),
                Epsilon = v.Double("epsilon", 0, 1),
                PriorChannels = prior.Int("channels", 1, 1 << 16),
                PriorLayers = prior.Int("layers", 0, 1024),
                PriorInputKernel = prior.Int("input_kernel", 1, 255),
                PriorKernel = prior.Int("kernel", 1, 255),
                ClassNames = v.Strings("class_names", []),
                DataName = v.String("data", ""),
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new LoomDataException($"vqvae config.json is incomplete or malformed: {e.Message}");
        }
        catch (LoomUsageException e)
        {
            throw new LoomDataException($"vqvae config.json: {e.Message}");
        }
    }
}
