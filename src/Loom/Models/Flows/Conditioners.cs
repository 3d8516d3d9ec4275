using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// The networks inside coupling layers. Their last layer starts at zero, so every coupling starts as the identity and a
/// deep flow trains stably from the first step.
/// </summary>
public static class Conditioners
{
    /// <summary>An MLP d → hidden (× <paramref name="hiddenLayers"/>, ReLU) → outputs, last layer zero.</summary>
    public static nn.Module<Tensor, Tensor> Mlp(int inputs, int hidden, int hiddenLayers, int outputs)
    {
        var modules = new List<nn.Module<Tensor, Tensor>>();
        int width = inputs;
        for (int i = 0; i < hiddenLayers; i++)
        {
            modules.Add(nn.Linear(width, hidden));
            modules.Add(nn.ReLU());
            width = hidden;
        }
        var last = nn.Linear(width, outputs);
        ZeroInit(last.weight!, last.bias);
        modules.Add(last);
        return nn.Sequential(modules);
    }

    /// <summary>
    /// A small CNN for image couplings: 3×3 conv → ReLU → 1×1 conv → ReLU → 3×3 conv (zero), same spatial size,
    /// <paramref name="channels"/> → <paramref name="outputs"/> channels.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Cnn(int channels, int hidden, int outputs)
    {
        var first = new Conv2dLayer(channels, hidden, 3, padding: 1);
        var middle = new Conv2dLayer(hidden, hidden, 1);
        var last = new Conv2dLayer(hidden, outputs, 3, padding: 1);
        ZeroInit(last.Weight, last.Bias);
        return nn.Sequential(first, nn.ReLU(), middle, nn.ReLU(), last);
    }

    private static void ZeroInit(Tensor weight, Tensor? bias)
    {
        using var noGrad = torch.no_grad();
        weight.zero_();
        bias?.zero_();
    }
}
