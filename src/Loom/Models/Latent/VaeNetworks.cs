using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>Maps data (and a class one-hot for a conditional VAE) to the mean and log-variance of q(z | x).</summary>
public abstract class VaeEncoder(string name) : nn.Module(name)
{
    /// <summary><paramref name="x"/> [n, …sample shape], <paramref name="condition"/> [n, C] one-hot or null → (μ, log σ²) each [n,
    /// latent].</summary>
    public abstract (Tensor Mean, Tensor LogVar) Encode(Tensor x, Tensor? condition);
}

/// <summary>Maps latents (and a class one-hot) to the decoder output: Bernoulli logits or Gaussian means, [n, …sample shape].</summary>
public abstract class VaeDecoder(string name) : nn.Module(name)
{
    public abstract Tensor Decode(Tensor z, Tensor? condition);
}

/// <summary>MLP encoder: flattened input ⊕ condition → <c>Layers</c> × (Linear, SiLU) → (μ, log σ²).</summary>
public sealed class MlpEncoder : VaeEncoder
{
    private readonly Sequential body;
    private readonly Linear head;

    public MlpEncoder(VaeConfig config) : base("mlp_encoder")
    {
        body = Stack(config.DataDim + config.NumClasses, config.Hidden, config.Layers);
        head = nn.Linear(config.Hidden, 2 * config.LatentDim);
        RegisterComponents();
    }

    public override (Tensor Mean, Tensor LogVar) Encode(Tensor x, Tensor? condition)
    {
        var input = x.flatten(1);
        if (condition is not null) input = torch.cat([input, condition], 1);
        var stats = head.call(body.call(input)).chunk(2, 1);
        return (stats[0], stats[1]);
    }

    internal static Sequential Stack(long input, int hidden, int layers)
    {
        var stack = nn.Sequential();
        for (int i = 0; i < layers; i++)
        {
            stack.append(nn.Linear(i == 0 ? input : hidden, hidden));
            stack.append(nn.SiLU());
        }
        return stack;
    }
}

/// <summary>MLP decoder: latent ⊕ condition → <c>Layers</c> × (Linear, SiLU) → Linear to the data size, reshaped.</summary>
public sealed class MlpDecoder : VaeDecoder
{
    private readonly Sequential body;
    private readonly Linear head;
    private readonly long[] shape;

    public MlpDecoder(VaeConfig config) : base("mlp_decoder")
    {
        shape = config.SampleShape;
        body = MlpEncoder.Stack(config.LatentDim + config.NumClasses, config.Hidden, config.Layers);
        head = nn.Linear(config.Hidden, config.DataDim);
        RegisterComponents();
    }

    public override Tensor Decode(Tensor z, Tensor? condition)
    {
        var input = condition is null ? z : torch.cat([z, condition], 1);
        return head.call(body.call(input)).reshape([z.shape[0], .. shape]);
    }
}

/// <summary>
/// Conv encoder for 28×28 images: two stride-2 convolutions (28→14→7), <c>ResBlocks</c> residual blocks at 7×7, then an
/// MLP head with the condition.
/// </summary>
public sealed class ConvEncoder : VaeEncoder
{
    private readonly Sequential features;
    private readonly ModuleList<ResidualConvBlock> blocks = new();
    private readonly Sequential body;
    private readonly Linear head;

    public ConvEncoder(VaeConfig config) : base("conv_encoder")
    {
        int c = config.BaseChannels;
        features = nn.Sequential(new Conv2dLayer(1, c, 4, 2, 1), nn.SiLU(), new Conv2dLayer(c, 2 * c, 4, 2, 1), nn.SiLU());
        for (int i = 0; i < config.ResBlocks; i++) blocks.Add(new ResidualConvBlock(2 * c, c));
        body = MlpEncoder.Stack(2L * c * 49 + config.NumClasses, config.Hidden, 1);
        head = nn.Linear(config.Hidden, 2 * config.LatentDim);
        RegisterComponents();
    }

    public override (Tensor Mean, Tensor LogVar) Encode(Tensor x, Tensor? condition)
    {
        var h = features.call(x);
        foreach (var block in blocks) h = block.call(h);
        var input = h.flatten(1);
        if (condition is not null) input = torch.cat([input, condition], 1);
        var stats = head.call(body.call(input)).chunk(2, 1);
        return (stats[0], stats[1]);
    }
}

/// <summary>
/// Conv decoder for 28×28 images: MLP to a 7×7 map, then two stride-2 transposed convolutions (7→14→28) with
/// <c>ResBlocks</c> residual blocks before each.
/// </summary>
public sealed class ConvDecoder : VaeDecoder
{
    private readonly Sequential body;
    private readonly Sequential upsample;
    private readonly ModuleList<ResidualConvBlock> blocks7 = new();
    private readonly ModuleList<ResidualConvBlock> blocks14 = new();
    private readonly int channels;

    public ConvDecoder(VaeConfig config) : base("conv_decoder")
    {
        channels = 2 * config.BaseChannels;
        body = nn.Sequential(nn.Linear(config.LatentDim + config.NumClasses, config.Hidden), nn.SiLU(),
            nn.Linear(config.Hidden, channels * 49L), nn.SiLU());
        upsample = nn.Sequential(
            new ConvTranspose2dLayer(channels, channels / 2, 4, 2, 1), nn.SiLU(), new ConvTranspose2dLayer(channels / 2, 1, 4, 2, 1));
        for (int i = 0; i < config.ResBlocks; i++)
        {
            blocks7.Add(new ResidualConvBlock(channels, channels / 2));
            blocks14.Add(new ResidualConvBlock(channels / 2, channels / 4));
        }
        RegisterComponents();
    }

    public override Tensor Decode(Tensor z, Tensor? condition)
    {
        var input = condition is null ? z : torch.cat([z, condition], 1);
        var h = body.call(input).reshape(z.shape[0], channels, 7, 7);
        foreach (var block in blocks7) h = block.call(h);
        h = upsample[1].call(upsample[0].call(h));
        foreach (var block in blocks14) h = block.call(h);
        return upsample[2].call(h);
    }
}
