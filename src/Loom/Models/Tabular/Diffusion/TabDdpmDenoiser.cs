using Loom.Models.Diffusion.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Diffusion;

/// <summary>The shape of a TabDDPM denoiser: row width, time-embedding width, hidden width and hidden layers.</summary>
public sealed record TabDdpmShape(int Width, int Embedding, int Hidden, int Layers);

/// <summary>
/// TabDDPM's denoiser (MLPDiffusion, Kotelnikov et al. 2023): the noisy row is projected to the embedding width and added to the
/// timestep's embedding (sinusoidal features through Linear → SiLU → Linear, <see cref="TimestepEmbedding"/>), then an MLP
/// (Linear → ReLU per hidden layer) outputs a row: ε̂ on the numeric part, x₀ logits on each categorical block.
/// </summary>
public sealed class TabDdpmDenoiser : nn.Module
{
    private readonly Linear projection;
    private readonly TimestepEmbedding time;
    private readonly Sequential mlp;

    public TabDdpmDenoiser(TabDdpmShape shape) : base("tabddpm")
    {
        Shape = shape;
        projection = nn.Linear(shape.Width, shape.Embedding);
        time = new TimestepEmbedding(shape.Embedding, shape.Embedding);
        var modules = new List<nn.Module<Tensor, Tensor>>();
        int inputs = shape.Embedding;
        for (int i = 0; i < shape.Layers; i++)
        {
            modules.Add(nn.Linear(inputs, shape.Hidden));
            modules.Add(nn.ReLU());
            inputs = shape.Hidden;
        }
        modules.Add(nn.Linear(inputs, shape.Width));
        mlp = nn.Sequential(modules.ToArray());
        RegisterComponents();
    }

    public TabDdpmShape Shape { get; }

    /// <summary>Raw outputs for noisy rows <paramref name="x"/> [n, width] at timestep indices <paramref name="t"/> [n].</summary>
    public Tensor Predict(Tensor x, Tensor t) => mlp.forward(projection.forward(x) + time.forward(t));
}
