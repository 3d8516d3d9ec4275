using Loom.Models.Adversarial;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Energy;

/// <summary>
/// A network that maps a batch of examples to one scalar energy each, [n, ...] → [n]. Its last layer has one output, or
/// one logit per class for a joint model, whose energy is then −logsumexp of the logits.
/// </summary>
public abstract class EnergyNetwork(string name, int classes) : nn.Module<Tensor, Tensor>(name)
{
    /// <summary>Outputs of the last layer: 1, or the classes of a joint model.</summary>
    protected long Outputs => Math.Max(1, classes);

    /// <summary>Builds the network a config describes: an MLP for vectors, a small conv net for images.</summary>
    public static EnergyNetwork Build(EnergyConfig config) =>
        config.Image is null ? new MlpEnergy(config) : new ConvEnergy(config);

    /// <summary>The last layer's outputs [n, 1] or, for a joint model, the class logits f(x) [n, classes].</summary>
    public abstract Tensor Logits(Tensor x);

    /// <summary>E(x) [n]: the single output, or −logsumexp of a joint model's class logits.</summary>
    public override Tensor forward(Tensor x) => classes > 0 ? -torch.logsumexp(Logits(x), 1) : Logits(x).squeeze(1);
}

/// <summary>
/// The energy of vectors: <c>Layers</c> × (Linear → SiLU) of width <c>Hidden</c>, then Linear to one value (or to the class
/// logits of a joint model). Linear layers are spectrally normalized when the config asks.
/// </summary>
public sealed class MlpEnergy : EnergyNetwork
{
    private readonly Sequential body;

    public MlpEnergy(EnergyConfig config) : base("mlp_energy", config.NumClasses)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long inputs = config.Dimensions;
        for (int i = 0; i < config.Layers; i++)
        {
            layers.Add(SpectralNorm.Linear(inputs, config.Hidden, config.SpectralNorm));
            layers.Add(nn.SiLU());
            inputs = config.Hidden;
        }
        layers.Add(SpectralNorm.Linear(inputs, Outputs, config.SpectralNorm));
        body = nn.Sequential(layers.ToArray());
        RegisterComponents();
    }

    public override Tensor Logits(Tensor x) => body.forward(x);
}

/// <summary>
/// The energy of images (pixels in [0, 1], mapped to [−1, 1]): a 3×3 conv to <c>Hidden</c> channels, two 4×4 stride-2 convs
/// doubling the channels (28×28 → 14×14 → 7×7), a 3×3 conv, each followed by SiLU; then the mean over positions and a
/// linear map to one value (or to the class logits of a joint model). Convs and the head are spectrally normalized when
/// the config asks.
/// </summary>
public sealed class ConvEnergy : EnergyNetwork
{
    private readonly Sequential body;
    private readonly nn.Module<Tensor, Tensor> head;

    public ConvEnergy(EnergyConfig config) : base("conv_energy", config.NumClasses)
    {
        long c = config.Image!.Channels, h = config.Hidden;
        bool sn = config.SpectralNorm;
        body = nn.Sequential(
            SpectralNorm.Conv2d(c, h, 3, 1, 1, sn), nn.SiLU(),
            SpectralNorm.Conv2d(h, 2 * h, 4, 2, 1, sn), nn.SiLU(),
            SpectralNorm.Conv2d(2 * h, 4 * h, 4, 2, 1, sn), nn.SiLU(),
            SpectralNorm.Conv2d(4 * h, 4 * h, 3, 1, 1, sn), nn.SiLU());
        head = SpectralNorm.Linear(4 * h, Outputs, sn);
        RegisterComponents();
    }

    public override Tensor Logits(Tensor x) => head.forward(body.forward(x * 2 - 1).mean([2, 3]));
}
