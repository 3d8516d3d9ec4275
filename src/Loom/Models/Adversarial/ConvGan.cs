using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>Shape of the DCGAN-style networks for 28×28 images.</summary>
/// <param name="Channels">Image channels (1 for Fashion-MNIST).</param>
/// <param name="LatentDim">Width of z.</param>
/// <param name="BaseChannels">c: the generator starts from 4c maps of 7×7; the discriminator widens c → 2c → 4c.</param>
/// <param name="NumClasses">Classes for a conditional generator and projection discriminator (0 = unconditional).</param>
/// <param name="DiscriminatorBatchNorm">BatchNorm after the discriminator's inner convolutions (DCGAN; off for a WGAN-GP critic).</param>
/// <param name="SpectralNorm">Spectral normalization of every discriminator convolution and its output layer.</param>
/// <param name="ClassNorm">A conditional generator's BatchNorms take a per-class gain and bias
/// (<see cref="ClassConditionalBatchNorm"/>) instead of one learned affine transform.</param>
/// <param name="AuxClassifier">The discriminator's head also classifies its features (see <see cref="ProjectionHead"/>).</param>
public sealed record ConvGanConfig(int Channels = 1, int LatentDim = 64, int BaseChannels = 32, int NumClasses = 0,
    bool DiscriminatorBatchNorm = true, bool SpectralNorm = false, bool ClassNorm = false,
    bool AuxClassifier = false)
{
    /// <summary>Image side length the networks produce and read.</summary>
    public const int Resolution = 28;
}

/// <summary>
/// DCGAN generator for 28×28 images: [z, class embedding] → Linear to 4c×7×7 → BatchNorm → ReLU → ConvTranspose
/// (k4 s2) to 2c×14×14 → BatchNorm → ReLU → ConvTranspose (k4 s2) to C×28×28 → tanh, so samples lie in [−1, 1].
/// With <see cref="ConvGanConfig.ClassNorm"/> both BatchNorms are <see cref="ClassConditionalBatchNorm"/>s (state
/// keys <c>class_norm_1.*</c>, <c>class_norm_2.*</c> instead of <c>norm_1.*</c>, <c>norm_2.*</c>).
/// </summary>
public sealed class ConvGenerator : GanGenerator
{
    private readonly LatentConditioning condition;
    private readonly Linear project;
    private readonly BatchNorm2d? norm_1;
    private readonly ClassConditionalBatchNorm? class_norm_1;
    private readonly ConvTranspose2dLayer up_1;
    private readonly BatchNorm2d? norm_2;
    private readonly ClassConditionalBatchNorm? class_norm_2;
    private readonly ConvTranspose2dLayer up_2;

    public ConvGenerator(ConvGanConfig config) : base("conv_generator")
    {
        Config = config;
        int c = config.BaseChannels;
        condition = new LatentConditioning(config.NumClasses, config.LatentDim);
        project = nn.Linear(config.LatentDim + condition.OutputDim, 4L * c * 7 * 7);
        if (config.ClassNorm)
        {
            class_norm_1 = new ClassConditionalBatchNorm(4 * c, config.NumClasses);
            class_norm_2 = new ClassConditionalBatchNorm(2 * c, config.NumClasses);
        }
        else
        {
            norm_1 = nn.BatchNorm2d(4 * c);
            norm_2 = nn.BatchNorm2d(2 * c);
        }
        up_1 = new ConvTranspose2dLayer(4 * c, 2 * c, 4, stride: 2, padding: 1);
        up_2 = new ConvTranspose2dLayer(2 * c, config.Channels, 4, stride: 2, padding: 1);
        RegisterComponents();
    }

    public ConvGanConfig Config { get; }
    public override int LatentDim => Config.LatentDim;
    public override int NumClasses => Config.NumClasses;

    public override Tensor Generate(Tensor latents, Tensor? labels)
    {
        int c = Config.BaseChannels;
        var h = project.forward(condition.forward(latents, labels)).reshape(-1, 4 * c, 7, 7);
        h = nn.functional.relu(Normalize(norm_1, class_norm_1, h, labels));
        h = nn.functional.relu(Normalize(norm_2, class_norm_2, up_1.forward(h), labels));
        return torch.tanh(up_2.forward(h));
    }

    private static Tensor Normalize(BatchNorm2d? plain, ClassConditionalBatchNorm? byClass, Tensor h, Tensor? labels) =>
        plain is not null ? plain.forward(h) : byClass!.forward(h, labels!);
}

/// <summary>
/// DCGAN discriminator for 28×28 images: Conv (k4 s2) C → c at 14×14 → LeakyReLU 0.2 → Conv (k4 s2) → 2c at 7×7 →
/// [BatchNorm] → LeakyReLU → Conv (k3 s2) → 4c at 4×4 → [BatchNorm] → LeakyReLU; the flattened maps are the features
/// φ(x) scored by a <see cref="ProjectionHead"/>. No BatchNorm for a WGAN-GP critic (the penalty is per example);
/// spectral normalization replaces every convolution and the output layer by its normalized version.
/// </summary>
public sealed class ConvDiscriminator : GanDiscriminator
{
    private readonly nn.Module<Tensor, Tensor> conv_1;
    private readonly nn.Module<Tensor, Tensor> conv_2;
    private readonly nn.Module<Tensor, Tensor> conv_3;
    private readonly BatchNorm2d? norm_2;
    private readonly BatchNorm2d? norm_3;
    private readonly ProjectionHead head;

    public ConvDiscriminator(ConvGanConfig config) : base("conv_discriminator")
    {
        Config = config;
        int c = config.BaseChannels;
        bool sn = config.SpectralNorm;
        conv_1 = SpectralNorm.Conv2d(config.Channels, c, 4, 2, 1, sn);
        conv_2 = SpectralNorm.Conv2d(c, 2 * c, 4, 2, 1, sn);
        conv_3 = SpectralNorm.Conv2d(2 * c, 4 * c, 3, 2, 1, sn);
        if (config.DiscriminatorBatchNorm)
        {
            norm_2 = nn.BatchNorm2d(2 * c);
            norm_3 = nn.BatchNorm2d(4 * c);
        }
        head = new ProjectionHead(4L * c * 4 * 4, config.NumClasses, sn, config.AuxClassifier);
        RegisterComponents();
    }

    public ConvGanConfig Config { get; }
    public override int NumClasses => Config.NumClasses;

    protected override ProjectionHead Head => head;

    /// <summary>φ(x): the flattened 4c×4×4 maps [n, 64c].</summary>
    protected override Tensor Features(Tensor x)
    {
        var h = nn.functional.leaky_relu(conv_1.forward(x), 0.2);
        h = conv_2.forward(h);
        if (norm_2 is not null) h = norm_2.forward(h);
        h = nn.functional.leaky_relu(h, 0.2);
        h = conv_3.forward(h);
        if (norm_3 is not null) h = norm_3.forward(h);
        return nn.functional.leaky_relu(h, 0.2).flatten(1);
    }
}
