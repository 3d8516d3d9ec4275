using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// The CycleGAN image-to-image generator, sized for small images: a 7×7 reflection-padded stem, <c>downsamples</c>
/// stride-2 3×3 convolutions (each doubling the channels; 28 → 14 → 7 for two), residual blocks at the lowest
/// resolution, a mirrored upsampling path and a 7×7 reflection-padded head with tanh, so images map from [−1, 1] to
/// [−1, 1] at the same size. Instance norm and ReLU follow every convolution but the head.
/// </summary>
/// <remarks>
/// Upsampling is nearest-neighbour ×2 followed by a 3×3 convolution rather than a transposed convolution: libtorch's
/// CPU <c>conv_transpose2d</c> in this build returns NaN far more often than <c>conv2d</c> (docs/diffusion.md), and
/// resize-then-convolve also avoids checkerboard artefacts.
/// </remarks>
public sealed class ResnetGenerator : nn.Module<Tensor, Tensor>
{
    private readonly ConvNormActivation stem;
    private readonly ModuleList<ConvNormActivation> down;
    private readonly ModuleList<ResnetBlock> blocks;
    private readonly ModuleList<ConvNormActivation> up;
    private readonly ConvNormActivation head;

    public ResnetGenerator(int channels, int baseChannels, int downsamples, int resBlocks) : base("resnet_generator")
    {
        stem = new ConvNormActivation(channels, baseChannels, 7, 1, 3, reflect: true, normalize: true, Activation.Relu);
        down = new ModuleList<ConvNormActivation>();
        up = new ModuleList<ConvNormActivation>();
        for (int i = 0; i < downsamples; i++)
            down.Add(new ConvNormActivation(baseChannels << i, baseChannels << (i + 1), 3, 2, 1, reflect: false,
                normalize: true, Activation.Relu));
        int inner = baseChannels << downsamples;
        blocks = new ModuleList<ResnetBlock>();
        for (int i = 0; i < resBlocks; i++)
            blocks.Add(new ResnetBlock(inner));
        for (int i = downsamples; i > 0; i--)
            up.Add(new ConvNormActivation(baseChannels << i, baseChannels << (i - 1), 3, 1, 1, reflect: true,
                normalize: true, Activation.Relu));
        head = new ConvNormActivation(baseChannels, channels, 7, 1, 3, reflect: true, normalize: false, Activation.None);
        RegisterComponents();
    }

    /// <summary>Images [n, C, H, W] in [−1, 1] → translated images of the same shape in [−1, 1].</summary>
    public override Tensor forward(Tensor x)
    {
        var h = stem.forward(x);
        foreach (var layer in down) h = layer.forward(h);
        foreach (var block in blocks) h = block.forward(h);
        foreach (var layer in up)
            h = layer.forward(nn.functional.interpolate(h, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest));
        return head.forward(h).tanh();
    }
}

/// <summary>Two reflection-padded 3×3 convolutions with instance norm (ReLU between them) plus the input.</summary>
public sealed class ResnetBlock : nn.Module<Tensor, Tensor>
{
    private readonly ConvNormActivation first;
    private readonly ConvNormActivation second;

    public ResnetBlock(int channels) : base("resnet_block")
    {
        first = new ConvNormActivation(channels, channels, 3, 1, 1, reflect: true, normalize: true, Activation.Relu);
        second = new ConvNormActivation(channels, channels, 3, 1, 1, reflect: true, normalize: true, Activation.None);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x + second.forward(first.forward(x));
}
