using Loom.Core;
using Loom.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.PixelCnn;

/// <summary>
/// The Gated PixelCNN network: <see cref="PixelCnnConfig.Layers"/> <see cref="GatedPixelLayer"/>s (the first mask A)
/// and a 1×1 output network, ReLU → conv → ReLU → conv, on the horizontal stack. Its output at pixel i (raster order)
/// depends on the pixels before i only: [n, 1, H, W] Bernoulli logits or [n, 256, H, W] softmax logits for
/// images [n, 1, H, W] (binary pixels or grey levels, as <see cref="Inputs"/> scales them).
/// </summary>
public sealed class PixelCnnNetwork : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.ModuleList<GatedPixelLayer> layers;
    private readonly Conv2dLayer hidden;
    private readonly Conv2dLayer logits;

    public PixelCnnNetwork(PixelCnnConfig config) : base("pixelcnn")
    {
        config.Validate();
        Config = config;
        layers = new TorchSharp.Modules.ModuleList<GatedPixelLayer>();
        for (int i = 0; i < config.Layers; i++)
            layers.Add(new GatedPixelLayer(i == 0 ? 1 : config.Channels, config.Channels, i == 0 ? config.FirstKernel : config.Kernel,
                maskA: i == 0, config.NumClasses));
        hidden = new Conv2dLayer(config.Channels, config.OutputHidden, 1);
        logits = new Conv2dLayer(config.OutputHidden, config.Head.Outputs(), 1);
        RegisterComponents();
    }

    public PixelCnnConfig Config { get; }

    /// <summary>Logits for images whose pixels are binary (0/1) or grey levels (0..255), scaled to [−1, 1].</summary>
    public override Tensor forward(Tensor pixels) => Logits(pixels, null);

    /// <summary>Logits for <paramref name="pixels"/> [n, 1, h, w] (h ≤ the config's height: the top rows of images give the
    /// logits of those rows exactly), conditioned on <paramref name="labels"/> [n] in a conditional model.</summary>
    public Tensor Logits(Tensor pixels, Tensor? labels)
    {
        if (Config.NumClasses > 0 && labels is null)
            throw new LoomUsageException($"this PixelCNN is conditional on {Config.NumClasses} classes; give a class");
        using var scope = torch.NewDisposeScope();
        var x = Inputs(pixels);
        var (v, h) = (x, x);
        var y = Config.NumClasses > 0 ? labels : null;
        foreach (var layer in layers)
            (v, h) = layer.Forward(v, h, y);
        var output = logits.forward(nn.functional.relu(hidden.forward(nn.functional.relu(h))));
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>The network's input: binary pixels as ±1, grey levels 0..255 to [−1, 1] (zero padding is mid-grey).</summary>
    public Tensor Inputs(Tensor pixels) => Config.Head == PixelCnnHead.Binary ? pixels * 2 - 1 : pixels / 127.5 - 1;
}
