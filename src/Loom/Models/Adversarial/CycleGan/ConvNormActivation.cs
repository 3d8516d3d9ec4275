using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>The non-linearity after a <see cref="ConvNormActivation"/> layer.</summary>
public enum Activation
{
    None,
    Relu,
    /// <summary>LeakyReLU with slope 0.2 (discriminators).</summary>
    LeakyRelu,
}

/// <summary>
/// Convolution → optional instance norm → activation, the building block of both CycleGAN networks. Weights start
/// from N(0, 0.02) and biases at 0, the usual GAN initialisation.
/// </summary>
/// <remarks>
/// Instance norm is TorchSharp's <c>InstanceNorm2d</c> with <c>affine: false</c> and <c>track_running_stats: false</c>
/// (TorchSharp's defaults are true for both, unlike PyTorch's): every image is normalised per channel by its own
/// statistics in training and in evaluation alike, and the layer holds no parameters or buffers, so a checkpoint is
/// the convolutions' weights only. A layer with a bias before instance norm would have the bias cancelled, so those
/// convolutions have none.
/// </remarks>
public sealed class ConvNormActivation : nn.Module<Tensor, Tensor>
{
    private readonly Conv2dLayer conv;
    private readonly InstanceNorm2d? norm;
    private readonly Activation activation;

    public ConvNormActivation(int inChannels, int outChannels, int kernel, int stride, int padding, bool reflect,
        bool normalize, Activation activation)
        : base("conv_norm_act")
    {
        conv = new Conv2dLayer(inChannels, outChannels, kernel, stride: stride, padding: padding, bias: !normalize,
            paddingMode: reflect ? PaddingModes.Reflect : PaddingModes.Zeros);
        using (torch.no_grad())
        {
            nn.init.normal_(conv.Weight, 0, 0.02);
            conv.Bias?.zero_();
        }
        if (normalize)
            norm = nn.InstanceNorm2d(outChannels, affine: false, track_running_stats: false);
        this.activation = activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = conv.forward(x);
        if (norm is not null) h = norm.forward(h);
        return activation switch
        {
            Activation.Relu => nn.functional.relu(h),
            Activation.LeakyRelu => nn.functional.leaky_relu(h, 0.2),
            _ => h,
        };
    }
}
