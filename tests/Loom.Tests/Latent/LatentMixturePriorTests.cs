using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Latent;
using Loom.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Loom.Tests.Latent;

/// <summary>The fitted latent prior (ex-post density estimation): per-class draws, temperature, unseen classes, checkpoints.</summary>
public class LatentMixturePriorTests
{
    /// <summary>Class 0 around (3, 0) with σ 0.5, class 1 around (−3, 1) with σ 0.2: [4000, 2] and labels.</summary>
    private static (Tensor Latents, Tensor Labels) TwoClusters()
    {
        using var generator = new torch.Generator(7);
        var a = torch.randn([2000, 2], generator: generator) * 0.5f + torch.tensor(new[] { 3f, 0f });
        var b = torch.randn([2000, 2], generator: generator) * 0.2f + torch.tensor(new[] { -3f, 1f });
        return (torch.cat([a, b]), torch.cat([torch.zeros(2000, ScalarType.Int64), torch.ones(2000, ScalarType.Int64)]));
    }

    [Fact]
    public void Per_class_draws_follow_each_class_and_are_seeded()
    {
        using var scope = torch.NewDisposeScope();
        var (latents, labels) = TwoClusters();
        using var prior = LatentMixturePrior.Fit(latents, labels, 2, new LatentPriorOptions { Components = 2, Seed = 1 });
        Assert.Equal(2, prior.Mixtures.Count);
        var requested = torch.arange(4000, dtype: ScalarType.Int64) % 2;
        var z = prior.Draw(4000, requested, seed: 3);
        Assert.Equal(ScalarType.Float32, z.dtype);
        var zero = z.index_select(0, requested.eq(0).nonzero().squeeze(1));
        var one = z.index_select(0, requested.eq(1).nonzero().squeeze(1));
        Assert.True(zero.mean([0]).allclose(torch.tensor(new[] { 3f, 0f }), 0, 0.06), zero.mean([0]).str());
        Assert.True(one.mean([0]).allclose(torch.tensor(new[] { -3f, 1f }), 0, 0.03), one.mean([0]).str());
        Assert.All(zero.std([0]).data<float>().ToArray(), s => Assert.InRange(s, 0.45, 0.55));
        Assert.All(one.std([0]).data<float>().ToArray(), s => Assert.InRange(s, 0.18, 0.22));
        Assert.True(z.eq(prior.Draw(4000, requested, seed: 3)).all().item<bool>());
        Assert.False(z.eq(prior.Draw(4000, requested, seed: 4)).all().item<bool>());
        Assert.Throws<Loom.Core.LoomUsageException>(() => prior.Draw(4, null, 0));
        Assert.Throws<Loom.Core.LoomUsageException>(() => prior.Draw(4, requested.narrow(0, 0, 4), 0, temperature: 0));
    }

    [Fact]
    public void Temperature_scales_the_spread_around_each_component()
    {
        using var scope = torch.NewDisposeScope();
        var (latents, _) = TwoClusters();
        var cluster = latents.narrow(0, 0, 2000);
        using var prior = LatentMixturePrior.Fit(cluster, null, 0, new LatentPriorOptions { Components = 1 });
        var mean = prior.Mixtures[0].Means.to(ScalarType.Float32);
        var full = prior.Draw(3000, null, seed: 5) - mean;
        var cooled = prior.Draw(3000, null, seed: 5, temperature: 0.5) - mean;
        // Same seed, same standard-normal draws: the cooled offsets are exactly half.
        Assert.True(cooled.allclose(0.5 * full, 1e-5, 1e-5));
        Assert.All(full.std([0]).data<float>().ToArray(), s => Assert.InRange(s, 0.45, 0.55));
    }

    [Fact]
    public void A_class_without_training_examples_draws_from_the_pooled_mixture()
    {
        using var scope = torch.NewDisposeScope();
        var (latents, labels) = TwoClusters();
        using var prior = LatentMixturePrior.Fit(latents, labels, 3, new LatentPriorOptions { Components = 2, Seed = 1 });
        Assert.Equal(3, prior.Mixtures.Count);
        var z = prior.Draw(2000, torch.full(2000, 2L), seed: 1);
        // Both clusters, half each: the pooled mean lies between them.
        Assert.InRange(z[.., 0].mean().ToDouble(), -0.3, 0.3);
        Assert.Throws<Loom.Core.LoomDataException>(() =>
            LatentMixturePrior.Fit(latents.narrow(0, 0, 3), null, 0, new LatentPriorOptions { Components = 5 }));
        Assert.Throws<Loom.Core.LoomUsageException>(() =>
            LatentMixturePrior.Fit(latents, labels, 2, new LatentPriorOptions { Components = 0 }));
    }

    [Fact]
    public void A_cvae_samples_from_its_fitted_prior_and_keeps_it_through_a_checkpoint()
    {
        using var scope = torch.NewDisposeScope();
        var dir = RepoPaths.NewTempDir("loom-vae-prior");
        torch.random.manual_seed(2);
        var config = new VaeConfig
        {
            Network = "mlp", Likelihood = VaeLikelihood.Gaussian, LatentDim = 3, Hidden = 16, Layers = 1, SampleShape = [4],
            Images = false, ClassNames = ["a", "b"],
        };
        using var model = new VaeModel(new VariationalAutoencoder(config));
        var examples = torch.randn(200, 4);
        var labels = torch.arange(200, dtype: ScalarType.Int64) % 2;
        model.FitLatentPrior(examples, labels, new LatentPriorOptions { Components = 3, Seed = 1 }, batch: 64);
        Assert.NotNull(model.LatentPrior);
        // The prior's class-1 mixture is fitted to the encoder's posterior means of the class-1 examples.
        var means = model.EncodeMean(examples.index_select(0, labels.eq(1).nonzero().squeeze(1)), torch.ones(100, ScalarType.Int64));
        var fittedMean = (model.LatentPrior!.Mixtures[1].Weights.unsqueeze(1) * model.LatentPrior.Mixtures[1].Means).sum([0]);
        Assert.True(fittedMean.to(ScalarType.Float32).allclose(means.mean([0]), 1e-4, 1e-4), fittedMean.str() + means.mean([0]).str());

        var request = new SampleRequest { Count = 8, Seed = 4, Class = 1 };
        var sampled = ((TensorSamples)model.Sample(request)).Values;
        var expected = model.Decode(model.LatentPrior.Draw(8, torch.ones(8, ScalarType.Int64), 4), torch.ones(8, ScalarType.Int64));
        Assert.True(sampled.eq(expected).all().item<bool>());
        Checkpoint.Save(dir, model, new ModelCard());
        using var loaded = (VaeModel)Checkpoint.Load(dir);
        Assert.NotNull(loaded.LatentPrior);
        Assert.Equal("gmm", loaded.GetConfig()[LatentMixturePrior.ConfigKey]!["type"]!.GetValue<string>());
        var priorAgain = loaded.LatentPrior!.Draw(8, torch.ones(8, ScalarType.Int64), 4);
        Assert.True(model.LatentPrior.Draw(8, torch.ones(8, ScalarType.Int64), 4).allclose(priorAgain, 1e-6, 1e-6), priorAgain.str());
        Assert.True(sampled.allclose(((TensorSamples)loaded.Sample(request)).Values, 1e-6, 1e-6));
        // Without the prior the model samples N(0, I) again.
        loaded.SetLatentPrior(null);
        var normal = ((TensorSamples)loaded.Sample(request)).Values;
        Assert.True(normal.allclose(loaded.Decode(loaded.PriorLatents(8, 4), torch.ones(8, ScalarType.Int64)), 1e-6, 1e-6));
    }
}
