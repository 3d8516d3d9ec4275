using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// Latents from a standard-normal prior at a sampling temperature: z ~ N(0, T² I). T &lt; 1 draws nearer the centre of
/// the prior — more typical samples, less variety (Glow's temperature; BigGAN's truncation trick done as a scale);
/// T = 1 samples the model as trained. Shared by the latent-variable families (VAE, GAN).
/// </summary>
public static class PriorLatents
{
    /// <summary>[count, dim] float32 on the CPU from <paramref name="generator"/>, scaled by <paramref name="temperature"/>.</summary>
    public static Tensor Draw(Generator generator, int count, int dim, double temperature = 1.0)
    {
        CheckTemperature(temperature);
        var z = torch.randn([count, dim], generator: generator);
        return temperature == 1.0 ? z : z.mul_(temperature);
    }

    /// <summary>Throws a usage error unless <paramref name="temperature"/> is a positive finite number (every sampler that scales a spread
    /// by T).</summary>
    public static void CheckTemperature(double temperature)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw LoomUsageException.ForOption("Temperature", $"must be a positive number, got {temperature}");
    }
}
