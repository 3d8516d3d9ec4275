using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Latent.Quantized;

/// <summary>
/// Image → code-space map: two stride-2 4×4 convolutions (28×28 → 14×14 → 7×7), a 3×3 convolution, residual blocks,
/// ReLU and a 1×1 projection to <c>CodeDim</c> channels. Output [n, D, H/4, W/4], not yet quantized.
/// </summary>
public sealed class VqEncoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2dLayer down1;
    private readonly Conv2dLayer down2;
    private readonly Conv2dLayer conv;
    private readonly ModuleList<ResidualConvBlock> blocks = new();
    private readonly Conv2dLayer project;

    public VqEncoder(VqVaeConfig config) : base("encoder")
    {
        int hidden = config.HiddenChannels;
        down1 = new Conv2dLayer(config.Channels, hidden, 4, stride: 2, padding: 1);
        down2 = new Conv2dLayer(hidden, hidden, 4, stride: 2, padding: 1);
        conv = new Conv2dLayer(hidden, hidden, 3, padding: 1);
        for (int i = 0; i < config.ResidualBlocks; i++) blocks.Add(new ResidualConvBlock(hidden, config.ResidualChannels));
        project = new Conv2dLayer(hidden, config.CodeDim, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var h = conv.forward(nn.functional.relu(down2.forward(nn.functional.relu(down1.forward(images)))));
        foreach (var block in blocks) h = block.forward(h);
        return project.forward(nn.functional.relu(h)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Code-space map → image logits: a 3×3 convolution, residual blocks, then twice (nearest ×2 upsampling, 3×3
/// convolution, ReLU) and a final 3×3 convolution to the image channels. Upsampling + convolution rather than a
/// transposed convolution: libtorch's CPU <c>conv_transpose2d</c> returned NaN far more often here (docs/diffusion.md).
/// The output is Bernoulli logits per pixel; sigmoid gives the image in [0, 1].
/// </summary>
public sealed class VqDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Conv2dLayer input;
    private readonly ModuleList<ResidualConvBlock> blocks = new();
    private readonly Conv2dLayer up1;
    private readonly Conv2dLayer up2;
    private readonly Conv2dLayer output;

    public VqDecoder(VqVaeConfig config) : base("decoder")
    {
        int hidden = config.HiddenChannels;
        input = new Conv2dLayer(config.CodeDim, hidden, 3, padding: 1);
        for (int i = 0; i < config.ResidualBlocks; i++) blocks.Add(new ResidualConvBlock(hidden, config.ResidualChannels));
        up1 = new Conv2dLayer(hidden, hidden, 3, padding: 1);
        up2 = new Conv2dLayer(hidden, hidden, 3, padding: 1);
        output = new Conv2dLayer(hidden, config.Channels, 3, padding: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor codes)
    {
        using var scope = torch.NewDisposeScope();
        var h = input.forward(codes);
        foreach (var block in blocks) h = block.forward(h);
        h = nn.functional.relu(h);
        h = nn.functional.relu(up1.forward(Upsample(h)));
        h = nn.functional.relu(up2.forward(Upsample(h)));
        return output.forward(h).MoveToOuterDisposeScope();
    }

    private static Tensor Upsample(Tensor x) => nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
}
