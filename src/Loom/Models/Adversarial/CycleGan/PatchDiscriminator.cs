using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// A small PatchGAN discriminator: <c>layers</c> stride-2 4×4 convolutions (28 → 14 → 7 for two; the first without
/// instance norm), one stride-1 3×3 convolution, then a 3×3 convolution to one channel. The output is a map of
/// real/fake logits [n, 1, H/2^layers, W/2^layers], one per overlapping patch, scored with the least-squares loss.
/// </summary>
public sealed class PatchDiscriminator : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<ConvNormActivation> layers;
    private readonly ConvNormActivation head;

    public PatchDiscriminator(int channels, int baseChannels, int strideTwoLayers) : base("patch_discriminator")
    {
        layers = new ModuleList<ConvNormActivation>();
        int width = baseChannels;
        layers.Add(new ConvNormActivation(channels, width, 4, 2, 1, reflect: false, normalize: false, Activation.LeakyRelu));
        for (int i = 1; i < strideTwoLayers; i++)
        {
            int next = baseChannels * Math.Min(1 << i, 8);
            layers.Add(new ConvNormActivation(width, next, 4, 2, 1, reflect: false, normalize: true, Activation.LeakyRelu));
            width = next;
        }
        int last = baseChannels * Math.Min(1 << strideTwoLayers, 8);
        layers.Add(new ConvNormActivation(width, last, 3, 1, 1, reflect: false, normalize: true, Activation.LeakyRelu));
        head = new ConvNormActivation(last, 1, 3, 1, 1, reflect: false, normalize: false, Activation.None);
        RegisterComponents();
    }

    /// <summary>Images [n, C, H, W] in [−1, 1] → patch logits [n, 1, H/2^layers, W/2^layers].</summary>
    public override Tensor forward(Tensor x)
    {
        var h = x;
        foreach (var layer in layers) h = layer.forward(h);
        return head.forward(h);
    }
}
