using Loom.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Latent.Quantized;

/// <summary>
/// A gated residual masked layer: [a, b] = masked conv (type B) of h, plus a per-class bias when conditional;
/// h + 1×1 conv(tanh(a) · σ(b)).
/// </summary>
public sealed class GatedMaskedLayer : nn.Module
{
    private readonly MaskedConv2d conv;
    private readonly MaskedConv2d project;
    private readonly Embedding? class_bias;

    public GatedMaskedLayer(int channels, int kernelSize, int numClasses) : base("gated")
    {
        conv = new MaskedConv2d(channels, 2 * channels, kernelSize, MaskType.B);
        project = new MaskedConv2d(channels, channels, 1, MaskType.B);
        if (numClasses > 0)
        {
            // Zero start: the conditional prior begins as the unconditional one.
            class_bias = nn.Embedding(numClasses, 2 * channels);
            using var noGrad = torch.no_grad();
            class_bias.weight!.zero_();
        }
        RegisterComponents();
    }

    /// <param name="h">[n, C, H, W] features.</param>
    /// <param name="labels">[n] int64 classes (conditional layers only).</param>
    public Tensor forward(Tensor h, Tensor? labels)
    {
        using var scope = torch.NewDisposeScope();
        var features = conv.forward(h);
        if (class_bias is not null && labels is not null)
            features = features + class_bias.forward(labels).unsqueeze(-1).unsqueeze(-1);
        var halves = features.chunk(2, 1);
        var gated = halves[0].tanh() * halves[1].sigmoid();
        return (h + project.forward(gated)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// An autoregressive PixelCNN-style prior over the S×S map of code indices in raster order: code embedding, a type-A
/// masked convolution, gated residual masked layers (type B), and a 1×1 head giving logits over the K codes at every
/// position. A class-conditional prior adds a learned per-class bias inside every gated layer. Position i's logits
/// depend only on the codes at positions before i, so p(codes) = Π p(code_i | codes_&lt;i) and sampling draws the
/// positions one at a time.
/// </summary>
public sealed class PixelCnnPrior : nn.Module
{
    private readonly Embedding embedding;
    private readonly MaskedConv2d input;
    private readonly ModuleList<GatedMaskedLayer> layers = new();
    private readonly MaskedConv2d hidden;
    private readonly MaskedConv2d output;

    public PixelCnnPrior(VqVaeConfig config) : base("prior")
    {
        NumCodes = config.NumCodes;
        NumClasses = config.NumClasses;
        LatentSize = config.LatentSize;
        int channels = config.PriorChannels;
        embedding = nn.Embedding(config.NumCodes, channels);
        input = new MaskedConv2d(channels, channels, config.PriorInputKernel, MaskType.A);
        for (int i = 0; i < config.PriorLayers; i++) layers.Add(new GatedMaskedLayer(channels, config.PriorKernel, config.NumClasses));
        hidden = new MaskedConv2d(channels, channels, 1, MaskType.B);
        output = new MaskedConv2d(channels, config.NumCodes, 1, MaskType.B);
        RegisterComponents();
    }

    public int NumCodes { get; }
    public int NumClasses { get; }
    /// <summary>Side of the code map.</summary>
    public int LatentSize { get; }
    /// <summary>Where the weights live.</summary>
    public Device Device => input.Device;

    /// <summary>Code embeddings [n, C, S, S] of code indices [n, S, S].</summary>
    public Tensor Embed(Tensor codes)
    {
        using var scope = torch.NewDisposeScope();
        return embedding.forward(codes).permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Logits [n, K, S, S] from embedded codes [n, C, S, S]; separate from <see cref="Embed"/> so gradients can be taken with
    /// respect to the inputs.</summary>
    public Tensor LogitsFromEmbeddings(Tensor embedded, Tensor? labels = null)
    {
        if (NumClasses > 0 && labels is null)
            throw new LoomUsageException("this prior is class-conditional: give a class for every sample");
        using var scope = torch.NewDisposeScope();
        var h = input.forward(embedded);
        foreach (var layer in layers) h = layer.forward(h, labels);
        return output.forward(nn.functional.relu(hidden.forward(nn.functional.relu(h)))).MoveToOuterDisposeScope();
    }

    /// <summary>Logits [n, K, S, S] of code indices [n, S, S] (with [n] int64 labels when conditional).</summary>
    public Tensor forward(Tensor codes, Tensor? labels = null)
    {
        using var scope = torch.NewDisposeScope();
        return LogitsFromEmbeddings(Embed(codes), labels).MoveToOuterDisposeScope();
    }

    /// <summary>Mean negative log-likelihood in nats per code position.</summary>
    public Tensor Nll(Tensor codes, Tensor? labels = null)
    {
        using var scope = torch.NewDisposeScope();
        return nn.functional.cross_entropy(forward(codes, labels), codes).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Draws <paramref name="count"/> code maps [count, S, S] (int64, on the prior's device) in raster order, each
    /// position from softmax(logits / <paramref name="temperature"/>) with <paramref name="generator"/> (a CPU
    /// generator: the draw happens on the CPU, so a seed gives the same codes on any device).
    /// </summary>
    public Tensor Sample(int count, Generator generator, double temperature = 1.0, Tensor? labels = null)
    {
        if (count < 1) throw LoomUsageException.ForOption("Count", $"must be at least 1, got {count}");
        if (!(temperature > 0)
            || !double.IsFinite(temperature)) throw LoomUsageException.ForOption("Temperature",
                $"must be a positive number, got {temperature}");
        if (labels is not null
            && labels.shape[0] != count) throw new LoomUsageException($"prior sampling: {labels.shape[0]} labels for {count} samples");
        using var noGrad = torch.no_grad();
        var device = Device;
        var codes = torch.zeros([count, LatentSize, LatentSize], ScalarType.Int64, device);
        var onDevice = labels?.to(device);
        for (int position = 0; position < LatentSize * LatentSize; position++)
        {
            using var scope = torch.NewDisposeScope();
            int row = position / LatentSize, column = position % LatentSize;
            var logits = forward(codes, onDevice).select(3, column).select(2, row);             // [count, K]
            var probabilities = (logits.to(ScalarType.Float64) / temperature).softmax(1).cpu();
            var drawn = torch.multinomial(probabilities, 1, generator: generator).reshape(count);
            codes.select(2, column).select(1, row).copy_(drawn.to(device));
        }
        return codes;
    }
}
