using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// MADE (Germain et al. 2015): an MLP made autoregressive by masking. Input i has degree i + 1; hidden unit k has degree
/// 1 + (k mod max(d − 1, 1)); a hidden unit sees the inputs of degree ≤ its own, and output i (of each of the
/// <c>outputsPerDimension</c> groups) sees hidden units of degree &lt; i + 1, so output i depends on inputs 0..i−1 only.
/// Outputs are grouped [n, groups·d]: group g of dimension i at column g·d + i. The output layer starts at zero.
/// </summary>
public sealed class Made : nn.Module<Tensor, Tensor>
{
    private readonly Sequential network;

    public Made(int dimensions, int hidden, int hiddenLayers, int outputsPerDimension) : base("made")
    {
        var inputDegrees = torch.arange(1, dimensions + 1);
        var hiddenDegrees = torch.arange(hidden).remainder(Math.Max(dimensions - 1, 1)) + 1;
        var modules = new List<nn.Module<Tensor, Tensor>>();
        var previous = inputDegrees;
        for (int i = 0; i < hiddenLayers; i++)
        {
            modules.Add(new MaskedLinear(hiddenDegrees.unsqueeze(1) >= previous.unsqueeze(0)));
            modules.Add(nn.ReLU());
            previous = hiddenDegrees;
        }
        var outputDegrees = inputDegrees.repeat(outputsPerDimension);
        var output = new MaskedLinear(outputDegrees.unsqueeze(1) > previous.unsqueeze(0));
        output.Zero();
        modules.Add(output);
        network = nn.Sequential(modules);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => network.call(x);
}
