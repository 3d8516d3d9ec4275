using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion.Networks;

/// <summary>Shape of the MLP denoiser for low-dimensional data (2-D toy sets, tabular rows).</summary>
public sealed record MlpDenoiserConfig(int Dimensions = 2, int Width = 128, int Layers = 3, int NumClasses = 0);

/// <summary>
/// A residual MLP denoiser for vectors: input projection, <c>Layers</c> blocks of (LayerNorm → Linear → SiLU → Linear)
/// each with the time (and class) embedding added, output projection. Small enough to train in seconds on 2-D data.
/// </summary>
public sealed class MlpDenoiser : Denoiser
{
    private readonly Linear input;
    private readonly TimestepEmbedding time;
    private readonly Embedding? label;
    private readonly ModuleList<Sequential> blocks = new();
    private readonly ModuleList<Linear> conditioning = new();
    private readonly LayerNorm norm_out;
    private readonly Linear output;

    public MlpDenoiser(MlpDenoiserConfig config) : base("mlp_denoiser")
    {
        Config = config;
        input = nn.Linear(config.Dimensions, config.Width);
        time = new TimestepEmbedding(Math.Max(32, config.Width / 2 * 2), config.Width);
        if (config.NumClasses > 0) label = nn.Embedding(config.NumClasses + 1, config.Width);
        for (int i = 0; i < config.Layers; i++)
        {
            blocks.Add(nn.Sequential(nn.LayerNorm(config.Width), nn.Linear(config.Width, 2 * config.Width), nn.SiLU(),
                nn.Linear(2 * config.Width, config.Width)));
            conditioning.Add(nn.Linear(config.Width, config.Width));
        }
        norm_out = nn.LayerNorm(config.Width);
        output = nn.Linear(config.Width, config.Dimensions);
        RegisterComponents();
    }

    public MlpDenoiserConfig Config { get; }
    public override int NumClasses => Config.NumClasses;

    public override Tensor Predict(Tensor x, Tensor timesteps, Tensor? labels)
    {
        var embedding = time.forward(timesteps);
        if (label is not null && labels is not null) embedding = embedding + label.call(labels);
        embedding = nn.functional.silu(embedding);
        var h = input.call(x);
        for (int i = 0; i < blocks.Count; i++)
            h = h + blocks[i].call(h + conditioning[i].call(embedding));
        return output.call(nn.functional.silu(norm_out.call(h)));
    }
}
