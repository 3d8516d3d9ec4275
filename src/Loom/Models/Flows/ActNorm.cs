using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// Activation normalization (Glow, Kingma &amp; Dhariwal 2018): a per-channel affine map z = (x + b)·eˢ whose first
/// forward pass in training mode sets b and s so that batch has zero mean and unit variance per channel (data-dependent
/// initialisation). The <c>initialized</c> buffer records that it happened and is saved with the model, so a loaded or
/// resumed flow is never re-initialised. log|det J| = (pixels per channel)·Σ s. Channels are dimension 1 of [n, c]
/// or [n, c, h, w].
/// </summary>
public sealed class ActNorm : FlowLayer
{
    private readonly Parameter bias;
    private readonly Parameter log_scale;
    private readonly Tensor initialized;

    public ActNorm(int channels, bool image) : base("actnorm")
    {
        long[] shape = image ? [1, channels, 1, 1] : [1, channels];
        bias = nn.Parameter(torch.zeros(shape).DetachFromDisposeScope());
        log_scale = nn.Parameter(torch.zeros(shape).DetachFromDisposeScope());
        initialized = torch.zeros(1).DetachFromDisposeScope();
        RegisterComponents();
    }

    /// <summary>Whether the data-dependent initialisation has run.</summary>
    public bool IsInitialized => initialized.to(ScalarType.Float64).item<double>() > 0;

    private void Initialize(Tensor x)
    {
        using var noGrad = torch.no_grad();
        long[] axes = Enumerable.Range(0, (int)x.dim()).Where(a => a != 1).Select(a => (long)a).ToArray();
        var mean = x.mean(axes, keepdim: true);
        var std = x.std(axes, keepdim: true, unbiased: false);
        bias.copy_(-mean);
        log_scale.copy_(-(std + 1e-6).log());
        initialized.fill_(1);
    }

    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        if (training && !IsInitialized)
            Initialize(x);
        long pixels = x[0].numel() / x.shape[1];
        var logDet = log_scale.sum() * pixels;
        return ((x + bias) * log_scale.exp(), logDet.expand(x.shape[0]));
    }

    public override Tensor Inverse(Tensor z) => z * (-log_scale).exp() - bias;
}
