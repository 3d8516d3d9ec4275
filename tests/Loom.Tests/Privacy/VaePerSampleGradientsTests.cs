using Loom.Models.Latent;
using TorchSharp;
using static Loom.Tests.Privacy.PerSampleGradientsTests;
using static TorchSharp.torch;

namespace Loom.Tests.Privacy;

/// <summary>
/// The conditional VAE's networks — MLP and conv, with the class one-hot concatenated into the encoder's and the
/// decoder's inputs — give per-example gradients equal to a loop over single examples, so DP-SGD can train a CVAE.
/// </summary>
public class VaePerSampleGradientsTests
{
    [Fact]
    public void ConditionalMlpVae() => AssertMatchesTheLoop(Seeded(() => new Packed(new VariationalAutoencoder(new VaeConfig
    {
        Network = "mlp", Hidden = 8, Layers = 2, LatentDim = 3, SampleShape = [1, 2, 3], ClassNames = ["a", "b", "c"],
    }))), Inputs(6));

    [Fact]
    public void ConditionalConvVaeWithResidualBlocks() => AssertMatchesTheLoop(Seeded(() => new Packed(new VariationalAutoencoder(
        new VaeConfig
        {
            Network = "conv", BaseChannels = 2, ResBlocks = 1, Hidden = 8, LatentDim = 3, ClassNames = ["a", "b", "c"],
        }))), Inputs(784));

    /// <summary>Each example's flattened data with its class packed in, so slicing the batch slices both.</summary>
    private static Tensor Inputs(long dataSize)
    {
        var x = torch.rand([Batch, dataSize], dtype: ScalarType.Float64, generator: new Generator(3));
        var labels = torch.tensor(new double[] { 0, 2, 1, 2, 0 }, ScalarType.Float64);
        return torch.cat([x, labels.unsqueeze(1)], 1);
    }

    /// <summary>
    /// A VAE as a module from packed inputs (data, class) to the encoder's (μ, log σ²) and the decoder's output at a
    /// deterministic latent μ + ½ log σ² (the reparameterized sample's noise would differ between the batch and the loop).
    /// </summary>
    private sealed class Packed : nn.Module<Tensor, Tensor>
    {
        private readonly VariationalAutoencoder vae;

        public Packed(VariationalAutoencoder vae) : base("packed")
        {
            this.vae = vae;
            RegisterComponents();
            this.to(ScalarType.Float64);
            // A Bernoulli VAE never uses its Gaussian log-scale, and DP-SGD trains without it (VaeTrainingRun leaves it out).
            foreach (var (name, parameter) in named_parameters())
                if (name.EndsWith("log_scale", StringComparison.Ordinal)) parameter.requires_grad = false;
        }

        public override Tensor forward(Tensor packed)
        {
            long n = packed.shape[0], d = packed.shape[1] - 1;
            var x = packed[.., ..(int)d].reshape([n, .. vae.Config.SampleShape]);
            var labels = packed[.., (int)d].to(ScalarType.Int64);
            var (mean, logVar) = vae.Encode(x, labels);
            var raw = vae.DecodeRaw(mean + 0.5 * logVar, labels);
            return torch.cat([raw.flatten(1), mean, logVar], 1);
        }
    }
}
