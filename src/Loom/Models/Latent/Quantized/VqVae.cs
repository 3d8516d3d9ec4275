using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent.Quantized;

/// <summary>The stage-1 loss of one batch: Bernoulli reconstruction + commitment, and the quantizer's report.</summary>
/// <param name="Total">Reconstruction + commitment (what the optimizer minimises).</param>
/// <param name="Reconstruction">Mean binary cross-entropy per pixel in nats (BCE with logits against [0, 1] pixels).</param>
public sealed record VqVaeLoss(Tensor Total, Tensor Reconstruction, QuantizerOutput Quantizer);

/// <summary>
/// The autoencoder of a VQ-VAE: <see cref="VqEncoder"/> → <see cref="VectorQuantizer"/> → <see cref="VqDecoder"/>.
/// The decoder outputs Bernoulli logits: the reconstruction loss is binary cross-entropy with logits against the
/// [0, 1] pixels (grey levels read as probabilities) and the decoded image is sigmoid(logits), the Bernoulli mean.
/// </summary>
public sealed class VqVae : nn.Module
{
    private readonly VqEncoder encoder;
    private readonly VectorQuantizer quantizer;
    private readonly VqDecoder decoder;

    public VqVae(VqVaeConfig config) : base("vqvae")
    {
        Config = config;
        encoder = new VqEncoder(config);
        quantizer = new VectorQuantizer(config.NumCodes, config.CodeDim, config.Commitment, config.EmaDecay,
            config.DeadCodeThreshold, config.Epsilon);
        decoder = new VqDecoder(config);
        RegisterComponents();
    }

    public VqVaeConfig Config { get; }
    public VqEncoder Encoder => encoder;
    public VectorQuantizer Quantizer => quantizer;
    public VqDecoder Decoder => decoder;

    /// <summary>
    /// Stage-1 loss of images [n, C, S, S] in [0, 1]. In training mode the quantizer also takes its EMA step
    /// (see <see cref="VectorQuantizer.forward"/>).
    /// </summary>
    public VqVaeLoss Loss(Tensor images)
    {
        var z = encoder.forward(images);
        var quantized = quantizer.forward(z);
        var logits = decoder.forward(quantized.Quantized);
        var reconstruction = nn.functional.binary_cross_entropy_with_logits(logits, images);
        return new VqVaeLoss(reconstruction + quantized.CommitmentLoss, reconstruction, quantized);
    }

    /// <summary>Code indices [n, S/4, S/4] of images [n, C, S, S] (no gradient, no codebook update).</summary>
    public Tensor EncodeIndices(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var z = Finite(() => encoder.forward(images), "encoder");
        return quantizer.AssignMap(z).MoveToOuterDisposeScope();
    }

    /// <summary>Images [n, C, S, S] in [0, 1] decoded from code indices [n, S/4, S/4] (no gradient).</summary>
    public Tensor DecodeIndices(Tensor indices)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var quantized = quantizer.Lookup(indices);
        return Finite(() => decoder.forward(quantized), "decoder").sigmoid().MoveToOuterDisposeScope();
    }

    /// <summary>The output of <paramref name="compute"/>, or an error when it is not finite (never garbage handed on).</summary>
    private static Tensor Finite(Func<Tensor> compute, string what)
    {
        var output = compute();
        if (!torch.isfinite(output).all().item<bool>())
            throw new LoomException($"the VQ-VAE {what} returned NaN or infinity; the input or the weights are not finite");
        return output;
    }
}
