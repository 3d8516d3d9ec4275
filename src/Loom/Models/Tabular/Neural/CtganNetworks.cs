using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>The shape of a CTGAN: row and conditional-vector widths, noise size, hidden width and layers, PacGAN group.</summary>
public sealed record CtganShape(int Width, int ConditionWidth, int Embedding, int Hidden, int Layers, int Pac);

/// <summary>CTGAN's residual layer: Linear → BatchNorm → ReLU, its output concatenated with its input.</summary>
public sealed class CtganResidual : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear;
    private readonly BatchNorm1d norm;

    public CtganResidual(int inputs, int outputs) : base("residual")
    {
        linear = nn.Linear(inputs, outputs);
        norm = nn.BatchNorm1d(outputs);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => torch.cat([nn.functional.relu(norm.forward(linear.forward(input))), input], 1);
}

/// <summary>CTGAN's generator: [noise, conditional vector] → residual layers (each widening the input) → Linear to a raw row.</summary>
public sealed class CtganGenerator : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;

    public CtganGenerator(CtganShape shape) : base("generator")
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        int width = shape.Embedding + shape.ConditionWidth;
        for (int i = 0; i < shape.Layers; i++)
        {
            layers.Add(new CtganResidual(width, shape.Hidden));
            width += shape.Hidden;
        }
        layers.Add(nn.Linear(width, shape.Width));
        body = nn.Sequential(layers.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => body.forward(input);
}

/// <summary>
/// CTGAN's PacGAN critic: <c>pac</c> consecutive [row, conditional vector]s are scored together; Linear → LeakyReLU(0.2)
/// → Dropout(0.5) per hidden layer, then Linear to one score per group.
/// </summary>
public sealed class CtganDiscriminator : nn.Module<Tensor, Tensor>
{
    private readonly Sequential body;
    private readonly int packed;

    public CtganDiscriminator(CtganShape shape) : base("discriminator")
    {
        packed = (shape.Width + shape.ConditionWidth) * shape.Pac;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        int width = packed;
        for (int i = 0; i < shape.Layers; i++)
        {
            layers.Add(nn.Linear(width, shape.Hidden));
            layers.Add(nn.LeakyReLU(0.2));
            layers.Add(nn.Dropout(0.5));
            width = shape.Hidden;
        }
        layers.Add(nn.Linear(width, 1));
        body = nn.Sequential(layers.ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => body.forward(input.reshape(-1, packed));
}
