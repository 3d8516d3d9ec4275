using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// GPT-2's "Conv1D": an affine map whose weight is stored [in, out] (the transpose of <c>nn.Linear</c>), kept so the
/// tensors load from and save to HF GPT-2 checkpoints unchanged.
/// </summary>
public sealed class Conv1D : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;

    public Conv1D(long inputs, long outputs, bool hasBias = true, ScalarType dtype = ScalarType.Float32) : base("Conv1D")
    {
        weight = nn.Parameter(torch.empty(inputs, outputs, dtype));
        register_parameter("weight", weight);
        if (hasBias)
        {
            bias = nn.Parameter(torch.zeros(outputs, dtype));
            register_parameter("bias", bias);
        }
    }

    public Parameter Weight => weight;

    public Parameter? Bias => bias;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = x.matmul(weight);
        if (bias is not null) y = y + bias;
        return y.MoveToOuterDisposeScope();
    }
}
