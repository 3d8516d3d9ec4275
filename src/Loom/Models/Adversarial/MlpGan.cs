using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>Shape of the MLP generator and discriminator for vectors (2-D toy sets, tabular rows).</summary>
public sealed record MlpGanConfig(int Dimensions = 2, int LatentDim = 8, int Width = 128, int Layers = 3,
    int NumClasses = 0, bool SpectralNorm = false,
    bool AuxClassifier = false);

/// <summary>
/// MLP generator: [z, class embedding] → <c>Layers</c> × (Linear → ReLU) → Linear to the data dimension. The output is
/// unbounded; vectors are trained standardized to [−1, 1] by the data range (see <see cref="GanConfig.VectorRange"/>).
/// </summary>
public sealed class MlpGenerator : GanGenerator
{
    private readonly LatentConditioning condition;
    private readonly Sequential body;

    public MlpGenerator(MlpGanConfig config) : base("mlp_generator")
    {
        Config = config;
        condition = new LatentConditioning(config.NumClasses, config.LatentDim);
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long inputs = config.LatentDim + condition.OutputDim;
        for (int i = 0; i < config.Layers; i++)
        {
            layers.Add(nn.Linear(inputs, config.Width));
            layers.Add(nn.ReLU());
            inputs = config.Width;
        }
        layers.Add(nn.Linear(inputs, config.Dimensions));
        body = nn.Sequential(layers.ToArray());
        RegisterComponents();
    }

    public MlpGanConfig Config { get; }
    public override int LatentDim => Config.LatentDim;
    public override int NumClasses => Config.NumClasses;

    public override Tensor Generate(Tensor latents, Tensor? labels) => body.forward(condition.forward(latents, labels));
}

/// <summary>
/// MLP discriminator: <c>Layers</c> × (Linear → LeakyReLU 0.2) give the features φ(x); a <see cref="ProjectionHead"/>
/// scores them. Linear layers are spectrally normalized when the config asks.
/// </summary>
public sealed class MlpDiscriminator : GanDiscriminator
{
    private readonly Sequential body;
    private readonly ProjectionHead head;

    public MlpDiscriminator(MlpGanConfig config) : base("mlp_discriminator")
    {
        Config = config;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        long inputs = config.Dimensions;
        for (int i = 0; i < config.Layers; i++)
        {
            layers.Add(SpectralNorm.Linear(inputs, config.Width, config.SpectralNorm));
            layers.Add(nn.LeakyReLU(0.2));
            inputs = config.Width;
        }
        body = nn.Sequential(layers.ToArray());
        head = new ProjectionHead(inputs, config.NumClasses, config.SpectralNorm, config.AuxClassifier);
        RegisterComponents();
    }

    public MlpGanConfig Config { get; }
    public override int NumClasses => Config.NumClasses;

    protected override ProjectionHead Head => head;

    protected override Tensor Features(Tensor x) => body.forward(x);
}
