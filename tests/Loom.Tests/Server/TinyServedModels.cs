using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models.Adversarial;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Diffusion.Samplers;
using Loom.Models.Markov;
using Loom.Models.Mixture;
using TorchSharp;

namespace Loom.Tests.Server;

/// <summary>
/// Tiny untrained or quickly fitted models saved into a server's model store for the image, sample and score routes: a
/// class-conditional DCGAN on 28×28 images (<c>gan</c>, classes shirt and boot), a class-conditional U-Net diffusion
/// model on 8×8 images (<c>diffusion</c>, classes zero and one, 3 DDIM steps), a 2-D Gaussian mixture (<c>gmm</c>)
/// and a character trigram model (<c>ngram</c>).
/// </summary>
internal static class TinyServedModels
{
    public const string Gan = "gan";
    public const string Diffusion = "diffusion";
    public const string Gmm = "gmm";
    public const string NGram = "ngram";
    public const string NGramText = "to be or not to be, that is the question\nwhether 'tis nobler in the mind to suffer\n";

    public static void SaveAll(string store)
    {
        SaveGan(Path.Combine(store, Gan));
        SaveDiffusion(Path.Combine(store, Diffusion));
        SaveGmm(Path.Combine(store, Gmm));
        using var ngram = NGramModel.Fit(NGramText, new NGramOptions { Order = 3 });
        Checkpoint.Save(Path.Combine(store, NGram), ngram, new ModelCard());
    }

    private static void SaveGan(string folder)
    {
        torch.random.manual_seed(11);
        var config = Adversarial.TinyGans.ConvConfig(classes: 2) with { ClassNames = ["shirt", "boot"] };
        using var model = Adversarial.TinyGans.Create(config);
        Checkpoint.Save(folder, model, new ModelCard());
    }

    private static void SaveDiffusion(string folder)
    {
        torch.random.manual_seed(12);
        var config = new DiffusionConfig
        {
            Network = "unet", SampleShape = [1, 8, 8], Images = true, Timesteps = 20, ClassNames = ["zero", "one"],
            UNet = new UNetConfig { Resolution = 8, BaseChannels = 8, Multipliers = [1, 2], AttentionLevels = [], Groups = 4 },
            DefaultSampler = new SamplerOptions { Sampler = "ddim", Steps = 3 }, DefaultGuidance = 1.5,
        };
        using var model = new DiffusionModel(config, config.CreateNetwork());
        Checkpoint.Save(folder, model, new ModelCard());
    }

    private static void SaveGmm(string folder)
    {
        using var scope = torch.NewDisposeScope();
        var g = Seeding.Generator(5, "blobs");
        var x = torch.cat([torch.randn([100, 2], torch.ScalarType.Float64, generator: g),
            torch.randn([100, 2], torch.ScalarType.Float64, generator: g) + 4]);
        using var model = GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 2, Seed = 1 });
        Checkpoint.Save(folder, model, new ModelCard());
    }
}
