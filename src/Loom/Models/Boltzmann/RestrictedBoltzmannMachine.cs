using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// The trainable RBM: <c>weight</c> [V, H], <c>visible_bias</c> [V] and <c>hidden_bias</c> [H] as parameters (their names
/// in model.safetensors). Weights start N(0, 0.01²) and biases at zero, as Hinton's practical guide advises; a
/// Bernoulli RBM may start its visible biases at log(p/(1 − p)) of the data's pixel means (<see cref="InitVisibleBias"/>).
/// </summary>
public sealed class RestrictedBoltzmannMachine : nn.Module
{
    private readonly Parameter weight;
    private readonly Parameter visible_bias;
    private readonly Parameter hidden_bias;

    public RestrictedBoltzmannMachine(long visibleUnits, long hiddenUnits, RbmVisible visible) : base("rbm")
    {
        Visible = visible;
        weight = new Parameter(torch.randn(visibleUnits, hiddenUnits) * 0.01);
        visible_bias = new Parameter(torch.zeros(visibleUnits));
        hidden_bias = new Parameter(torch.zeros(hiddenUnits));
        RegisterComponents();
    }

    public RbmVisible Visible { get; }

    /// <summary>The parameters as an <see cref="RbmParameters"/> view (gradients flow through it).</summary>
    public RbmParameters Parameters => new(weight, visible_bias, hidden_bias, Visible);

    /// <summary>The weight matrix, the one parameter weight decay applies to.</summary>
    public Parameter Weight => weight;

    /// <summary>Sets the visible biases (e.g. from the data: <see cref="RbmBaseRate.VisibleBias"/>).</summary>
    public void InitVisibleBias(Tensor bias)
    {
        using var noGrad = torch.no_grad();
        visible_bias.copy_(bias);
    }
}
