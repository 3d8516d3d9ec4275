using Loom.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>
/// One Monte-Carlo ELBO per example, in nats: log p(x|z) − KL(q(z|x) ‖ p(z)), with both terms, and the decoder's raw
/// output for the sampled z (Bernoulli logits or Gaussian means).
/// </summary>
public sealed record ElboTerms(Tensor Elbo, Tensor LogLikelihood, Tensor Kl, Tensor DecoderOutput);

/// <summary>
/// A variational autoencoder (Kingma &amp; Welling 2014): encoder q(z|x, y) = N(μ, diag σ²), decoder p(x|z, y)
/// (Bernoulli logits or Gaussian means with one learned scale), prior N(0, I). A conditional VAE feeds the class one-hot
/// to both networks. Bounds are per example in nats: the ELBO (closed-form KL), the IWAE bound with k samples (Burda et
/// al. 2016), and the importance-sampled NLL estimate −log (1/k Σ p(x, z_i)/q(z_i|x)) in chunks so k can be thousands.
/// </summary>
public sealed class VariationalAutoencoder : nn.Module
{
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);
    private readonly VaeEncoder encoder;
    private readonly VaeDecoder decoder;
    private readonly Parameter log_scale;

    public VariationalAutoencoder(VaeConfig config) : base("vae")
    {
        config.Validate();
        Config = config;
        encoder = config.Network == "conv" ? new ConvEncoder(config) : new MlpEncoder(config);
        decoder = config.Network == "conv" ? new ConvDecoder(config) : new MlpDecoder(config);
        log_scale = nn.Parameter(torch.zeros(1));
        RegisterComponents();
    }

    public VaeConfig Config { get; }

    /// <summary>Class one-hot [n, C] (float32, on the labels' device) for a conditional VAE; null otherwise.</summary>
    public Tensor? Condition(Tensor? labels)
    {
        if (Config.NumClasses == 0) return null;
        if (labels is null) throw new LoomUsageException($"this VAE is conditional on {Config.NumClasses} classes; give a class");
        return nn.functional.one_hot(labels.to(ScalarType.Int64), Config.NumClasses).to(ScalarType.Float32);
    }

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x, Tensor? labels) => encoder.Encode(x, Condition(labels));

    /// <summary>Raw decoder output: Bernoulli logits or Gaussian means.</summary>
    public Tensor DecodeRaw(Tensor z, Tensor? labels) => decoder.Decode(z, Condition(labels));

    /// <summary>The decoder's mean in data space: sigmoid(logits) for Bernoulli, the means for Gaussian.</summary>
    public Tensor DecodeMean(Tensor z, Tensor? labels) => MeanOf(DecodeRaw(z, labels));

    /// <summary>Raw decoder output → its mean in data space.</summary>
    public Tensor MeanOf(Tensor raw) => Config.Likelihood == VaeLikelihood.Bernoulli ? torch.sigmoid(raw) : raw;

    /// <summary>log p(x | decoder output) summed over data dimensions: [n].</summary>
    public Tensor LogLikelihood(Tensor x, Tensor raw)
    {
        long[] dims = Enumerable.Range(1, (int)x.dim() - 1).Select(d => (long)d).ToArray();
        if (Config.Likelihood == VaeLikelihood.Bernoulli)
            return -nn.functional.binary_cross_entropy_with_logits(raw, x, reduction: nn.Reduction.None).sum(dims);
        var standardized = (x - raw) * torch.exp(-log_scale);
        return (-0.5 * standardized.square() - log_scale - HalfLog2Pi).sum(dims);
    }

    /// <summary>KL(N(μ, diag e^{logvar}) ‖ N(0, I)) in closed form: ½ Σ (μ² + σ² − 1 − log σ²), per example [n].</summary>
    public static Tensor GaussianKl(Tensor mean, Tensor logVar) => 0.5 * (mean.square() + logVar.exp() - 1 - logVar).sum(1);

    /// <summary>One sample z = μ + σ ε, ε ~ N(0, I), differentiable in μ and log σ².</summary>
    public static Tensor Reparameterize(Tensor mean, Tensor logVar) => mean + torch.exp(0.5 * logVar) * torch.randn_like(mean);

    /// <summary>The ELBO with one reparameterized sample z = μ + σ ε and the closed-form KL, per example.</summary>
    public ElboTerms Elbo(Tensor x, Tensor? labels)
    {
        var (mean, logVar) = Encode(x, labels);
        var raw = DecodeRaw(Reparameterize(mean, logVar), labels);
        var logLik = LogLikelihood(x, raw);
        var kl = GaussianKl(mean, logVar);
        return new ElboTerms(logLik - kl, logLik, kl, raw);
    }

    /// <summary>
    /// log w_i = log p(x | z_i) + log p(z_i) − log q(z_i | x) for <paramref name="k"/> samples z_i ~ q: [k, n].
    /// <paramref name="mean"/>/<paramref name="logVar"/> are the encoder's outputs for <paramref name="x"/>.
    /// </summary>
    public Tensor LogWeights(Tensor x, Tensor? labels, Tensor mean, Tensor logVar, int k)
    {
        long n = x.shape[0];
        var eps = torch.randn([k, n, mean.shape[1]], dtype: mean.dtype, device: mean.device);
        var z = mean.unsqueeze(0) + torch.exp(0.5 * logVar).unsqueeze(0) * eps;
        var flatZ = z.reshape(k * n, -1);
        var repeatedX = x.unsqueeze(0).expand([k, .. x.shape]).reshape([k * n, .. x.shape[1..]]);
        var repeatedLabels = labels?.unsqueeze(0).expand(k, n).reshape(k * n);
        var logLik = LogLikelihood(repeatedX, DecodeRaw(flatZ, repeatedLabels)).reshape(k, n);
        var logPrior = (-0.5 * z.square() - HalfLog2Pi).sum(2);
        var logPosterior = (-0.5 * eps.square() - 0.5 * logVar.unsqueeze(0) - HalfLog2Pi).sum(2);
        return logLik + logPrior - logPosterior;
    }

    /// <summary>The IWAE bound log (1/k Σ w_i) per example [n]; k = 1 is a one-sample ELBO (with a sampled KL).</summary>
    public Tensor IwaeBound(Tensor x, Tensor? labels, int k)
    {
        var (mean, logVar) = Encode(x, labels);
        return torch.logsumexp(LogWeights(x, labels, mean, logVar, k), 0) - Math.Log(k);
    }

    /// <summary>
    /// Importance-sampled −log p(x) per example [n] (float64) with <paramref name="k"/> samples from q, drawn
    /// <paramref name="chunk"/> at a time and combined with a running log-sum-exp; no gradients.
    /// </summary>
    public Tensor ImportanceNll(Tensor x, Tensor? labels, int k, int chunk = 100)
    {
        if (k < 1) throw new LoomUsageException($"importance samples: must be at least 1, got {k}");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (mean, logVar) = Encode(x, labels);
        Tensor? total = null;
        for (int done = 0; done < k; done += chunk)
        {
            using var inner = torch.NewDisposeScope();
            int take = Math.Min(chunk, k - done);
            var part = torch.logsumexp(LogWeights(x, labels, mean, logVar, take).to(ScalarType.Float64), 0);
            var next = total is null ? part : torch.logaddexp(total, part);
            total?.Dispose();
            total = next.MoveToOuterDisposeScope();
        }
        return (Math.Log(k) - total!).MoveToOuterDisposeScope();
    }
}
