using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>Residual block of the VAE and VQ-VAE conv networks: x + 1×1 conv(ReLU(3×3 conv(ReLU(x)))), narrowing to <c>residualChannels</c>
/// inside.</summary>
public sealed class ResidualConvBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2dLayer conv3;
    private readonly Conv2dLayer conv1;

    public ResidualConvBlock(int channels, int residualChannels) : base("residual")
    {
        conv3 = new Conv2dLayer(channels, residualChannels, 3, padding: 1);
        conv1 = new Conv2dLayer(residualChannels, channels, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = conv1.call(nn.functional.relu(conv3.call(nn.functional.relu(x))));
        return (x + h).MoveToOuterDisposeScope();
    }
}
