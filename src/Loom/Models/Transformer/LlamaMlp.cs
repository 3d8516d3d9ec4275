using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// Gated MLP: down_proj(act(gate_proj(x)) · up_proj(x)), act SiLU (SwiGLU) or GELU (Gemma's GeGLU). Phi-3 fuses gate and
/// up into one <c>gate_up_proj</c> whose first half of rows is the gate.
/// </summary>
public sealed class LlamaMlp : nn.Module<Tensor, Tensor>, ILayerHost
{
    private nn.Module<Tensor, Tensor>? gateProj, upProj, gateUpProj;
    private nn.Module<Tensor, Tensor> downProj;
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

    /// <summary>The down projection's weight as built (before <see cref="ReplaceLayer"/> swaps the layer).</summary>
    public Parameter OutputWeight => ((Linear)downProj).weight!;

    public nn.Module<Tensor, Tensor> ReplaceLayer(string name, nn.Module<Tensor, Tensor> layer)
    {
        var old = name switch
        {
            "gate_proj" => gateProj,
            "up_proj" => upProj,
            "gate_up_proj" => gateUpProj,
            "down_proj" => downProj,
            _ => null,
        } ?? throw new ArgumentException($"this MLP has no layer '{name}'", nameof(name));
        ModuleTree.ReplaceChild(this, name, old, layer);
        switch (name)
        {
            case "gate_proj": gateProj = layer; break;
            case "up_proj": upProj = layer; break;
            case "gate_up_proj": gateUpProj = layer; break;
            default: downProj = layer; break;
        }
        return old;
    }

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
        var y = downProj.call(activated * up);
        return (training ? dropout.call(y) : y).MoveToOuterDisposeScope();
    }
}
