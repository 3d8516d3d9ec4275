using Loom.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>
/// A layer whose weight is divided by an estimate of its largest singular value σ (spectral normalization, Miyato et
/// al. 2018), so the layer is about 1-Lipschitz. The raw weight is the parameter <c>weight_orig</c>; the singular
/// vector estimates are the buffers <c>weight_u</c> [out] and <c>weight_v</c> [in·k·k], saved with the model. In
/// training mode every forward pass first does one power-iteration step on W reshaped to [out, −1] without gradient
/// (u ← normalize(W v), v ← normalize(Wᵀ u)); then σ = uᵀ W v, differentiable through W, and the layer uses W / σ.
/// In evaluation mode u and v are left as they are.
/// </summary>
public abstract class SpectralNormLayer : nn.Module<Tensor, Tensor>
{
    private const double Epsilon = 1e-12;
    private readonly Parameter weight_orig;
    private readonly Parameter? bias;
    private readonly Tensor weight_u;
    private readonly Tensor weight_v;

    /// <param name="name">Module name.</param>
    /// <param name="weightShape">Shape of W, output units first.</param>
    /// <param name="fanIn">Inputs per output unit; W and the bias start uniform in ±1/√fanIn.</param>
    /// <param name="hasBias">Whether the layer adds a bias (never normalized).</param>
    protected SpectralNormLayer(string name, long[] weightShape, long fanIn, bool hasBias) : base(name)
    {
        double bound = 1 / Math.Sqrt(fanIn);
        long rows = weightShape[0], columns = weightShape.Skip(1).Aggregate(1L, (a, b) => a * b);
        weight_orig = new Parameter(torch.empty(weightShape).uniform_(-bound, bound));
        bias = hasBias ? new Parameter(torch.empty(rows).uniform_(-bound, bound)) : null;
        weight_u = nn.functional.normalize(torch.randn(rows), dim: 0, eps: Epsilon);
        weight_v = nn.functional.normalize(torch.randn(columns), dim: 0, eps: Epsilon);
        RegisterComponents();
    }

    /// <summary>The bias (null when the layer has none).</summary>
    protected Tensor? Bias => bias;

    /// <summary>One power-iteration step on the current weight (what a training-mode forward does), without gradient.</summary>
    public void PowerIteration(int steps = 1)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var w = weight_orig.detach().reshape(weight_orig.shape[0], -1);
        for (int i = 0; i < steps; i++)
        {
            weight_u.copy_(nn.functional.normalize(w.mv(weight_v), dim: 0, eps: Epsilon));
            weight_v.copy_(nn.functional.normalize(w.t().mv(weight_u), dim: 0, eps: Epsilon));
        }
    }

    /// <summary>The current estimate σ = uᵀ W v of the largest singular value of W reshaped to [out, −1].</summary>
    public double SigmaEstimate()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return Sigma().ToDouble();
    }

    /// <summary>W / σ in the weight's shape (differentiable through W; u and v are constants).</summary>
    public Tensor NormalizedWeight() => weight_orig / Sigma();

    /// <summary>The raw weight W as trained (parameter <c>weight_orig</c>).</summary>
    public Tensor RawWeight => weight_orig;

    public override Tensor forward(Tensor input)
    {
        if (training)
            PowerIteration();
        return Apply(input, NormalizedWeight());
    }

    /// <summary>The layer's operation (linear map, convolution) with the normalized weight.</summary>
    protected abstract Tensor Apply(Tensor input, Tensor weight);

    // u and v are cloned: a later forward pass updates the buffers in place, while this σ's graph still needs them.
    private Tensor Sigma() =>
        weight_u.clone().dot(weight_orig.reshape(weight_orig.shape[0], -1).mv(weight_v.clone()));
}

/// <summary>A fully connected layer y = x (W/σ)ᵀ + b with spectral normalization.</summary>
public sealed class SpectralNormLinear(long inputs, long outputs, bool hasBias = true)
    : SpectralNormLayer("spectral_norm_linear", [outputs, inputs], inputs, hasBias)
{
    protected override Tensor Apply(Tensor input, Tensor weight) => nn.functional.linear(input, weight, Bias);
}

/// <summary>A 2-D convolution with a square kernel and spectral normalization (W reshaped to [out, in·k·k]).</summary>
public sealed class SpectralNormConv2d(long inChannels, long outChannels, long kernel, long stride = 1,
    long padding = 0, bool hasBias = true)
    : SpectralNormLayer("spectral_norm_conv2d", [outChannels, inChannels, kernel, kernel], inChannels * kernel * kernel, hasBias)
{
    protected override Tensor Apply(Tensor input, Tensor weight) =>
        Convolutions.Conv2d(input, weight, Bias, [stride, stride], [padding, padding]);
}

/// <summary>Factories for layers that are spectrally normalized or plain, as a network's options say.</summary>
public static class SpectralNorm
{
    public static nn.Module<Tensor, Tensor> Linear(long inputs, long outputs, bool normalized) =>
        normalized ? new SpectralNormLinear(inputs, outputs) : nn.Linear(inputs, outputs);

    public static nn.Module<Tensor, Tensor> Conv2d(long inChannels, long outChannels, long kernel, long stride,
        long padding, bool normalized) =>
        normalized ? new SpectralNormConv2d(inChannels, outChannels, kernel, stride, padding)
            : new Conv2dLayer(inChannels, outChannels, kernel, stride, padding);

    /// <summary>The spectrally normalized layers inside <paramref name="module"/>.</summary>
    public static IEnumerable<SpectralNormLayer> Layers(nn.Module module) =>
        module.modules().OfType<SpectralNormLayer>();
}
