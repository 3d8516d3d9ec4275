using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// Gated MLP: down_proj(act(gate_proj(x)) · up_proj(x)), act SiLU (SwiGLU) or GELU (Gemma's GeGLU). Phi-3 fuses gate and
/// up into one <c>gate_up_proj</c> whose first half of rows is the gate.
/// </summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear? gateProj, upProj, gateUpProj;
    private readonly Linear downProj;
    private readonly Dropout dropout;
    private readonly GatedActivation activation;
    private readonly long hidden;

    public LlamaMlp(TransformerConfig config, ScalarType dtype = ScalarType.Float32) : base("mlp")
    {
        activation = config.MlpActivation;
        hidden = config.MlpWidth;
        if (config.FusedProjections)
        {
            gateUpProj = nn.Linear(config.Width, 2 * hidden, config.Bias, dtype: dtype);
            register_module("gate_up_proj", gateUpProj);
        }
        else
        {
            gateProj = nn.Linear(config.Width, hidden, config.Bias, dtype: dtype);
            upProj = nn.Linear(config.Width, hidden, config.Bias, dtype: dtype);
            register_module("gate_proj", gateProj);
            register_module("up_proj", upProj);
        }
        downProj = nn.Linear(hidden, config.Width, config.Bias, dtype: dtype);
        dropout = nn.Dropout(config.Dropout);
        register_module("down_proj", downProj);
        register_module("dropout", dropout);
    }

    public Parameter OutputWeight => downProj.weight!;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        Tensor gate, up;
        if (gateUpProj is not null)
        {
            var both = gateUpProj.call(x);
            (gate, up) = (both.narrow(-1, 0, hidden), both.narrow(-1, hidden, hidden));
        }
        else
            (gate, up) = (gateProj!.call(x), upProj!.call(x));
        var activated = activation switch
        {
            GatedActivation.GeluTanh => nn.functional.gelu(gate, GELU.Approximate.tanh),
            GatedActivation.Gelu => nn.functional.gelu(gate),
            _ => nn.functional.silu(gate),
        };
        return dropout.forward(downProj.call(activated * up)).MoveToOuterDisposeScope();
    }
}
