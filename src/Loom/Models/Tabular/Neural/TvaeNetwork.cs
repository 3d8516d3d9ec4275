using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>The shape of a TVAE: transformed-row width, latent size, hidden width and hidden layers of each MLP.</summary>
public sealed record TvaeShape(int Width, int Embedding, int Hidden, int Layers);

/// <summary>
/// TVAE's networks (Xu et al. 2019): an encoder MLP (Linear → ReLU per hidden layer) to the latent mean and log-variance,
/// a decoder MLP from the latent to a raw transformed row, and a learned σ per output (used by the value spans, kept in
/// [0.01, 1] as SDV does).
/// </summary>
public sealed class TvaeNetwork : nn.Module
{
    private readonly Sequential encoder;
    private readonly Linear mean;
    private readonly Linear logVariance;
    private readonly Sequential decoder;
    private readonly Parameter sigma;

    public TvaeNetwork(TvaeShape shape) : base("tvae")
    {
        Shape = shape;
        encoder = Mlp(shape.Width, shape.Hidden, shape.Layers, null);
        mean = nn.Linear(shape.Hidden, shape.Embedding);
        logVariance = nn.Linear(shape.Hidden, shape.Embedding);
        decoder = Mlp(shape.Embedding, shape.Hidden, shape.Layers, shape.Width);
        sigma = nn.Parameter(torch.ones(shape.Width) * 0.1);
        RegisterComponents();
    }

    public TvaeShape Shape { get; }
    public Parameter Sigma => sigma;

    /// <summary>The latent mean and log-variance of each row.</summary>
    public (Tensor Mean, Tensor LogVariance) Encode(Tensor rows)
    {
        var h = encoder.forward(rows);
        return (mean.forward(h), logVariance.forward(h));
    }

    /// <summary>Raw transformed rows (before tanh / softmax) of latents.</summary>
    public Tensor Decode(Tensor latents) => decoder.forward(latents);

    /// <summary>Keeps σ in [0.01, 1].</summary>
    public void ClampSigma()
    {
        using var noGrad = torch.no_grad();
        sigma.clamp_(0.01, 1.0);
    }

    private static Sequential Mlp(int inputs, int hidden, int layers, int? outputs)
    {
        var modules = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < layers; i++)
        {
            modules.Add(nn.Linear(inputs, hidden));
            modules.Add(nn.ReLU());
            inputs = hidden;
        }
        if (outputs is { } o) modules.Add(nn.Linear(inputs, o));
        return nn.Sequential(modules.ToArray());
    }
}
