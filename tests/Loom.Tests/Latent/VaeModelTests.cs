using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Latent;
using Loom.Tests.Support;
using Loom.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Loom.Tests.Latent;

/// <summary>Training, sampling, checkpoints and tensor hygiene of the VAE model.</summary>
public class VaeModelTests
{
    private static VaeConfig MoonsConfig(int trainSamples = 1) => new()
    {
        Network = "mlp", Likelihood = VaeLikelihood.Gaussian, LatentDim = 2, Hidden = 64, Layers = 2, SampleShape = [2],
        Images = false, TrainSamples = trainSamples,
    };

    private static (double First, double Last) Train(VariationalAutoencoder vae, TensorDataset data, long steps)
    {
        var options = new VaeTrainingOptions { Steps = steps, BatchSize = 128, LearningRate = 3e-3, Seed = 1 };
        var objective = new VaeObjective(vae, data, options, torch.CPU);
        var parameters = vae.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
        var losses = new List<double>();
        using var trainer = new Trainer([new TrainingPhase("elbo", new DelegateObjective((s, m) =>
        {
            var loss = objective.Compute(s, m);
            losses.Add(loss.Loss.ToDouble());
            return loss;
        }), parameters, new OptimizerOptions { LearningRate = options.LearningRate })],
            new TrainerOptions { Steps = steps, GradClip = 10 });
        vae.train();
        trainer.Run();
        vae.eval();
        return (losses.Take(10).Average(), losses.TakeLast(10).Average());
    }

    [Fact]
    public void Elbo_and_iwae_training_lower_the_loss_on_two_moons()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(0);
        var data = new TensorDataset(ToyData.Generate("moons", 2000, 0, dtype: ScalarType.Float32));
        foreach (var k in new[] { 1, 5 })
        {
            using var vae = new VariationalAutoencoder(MoonsConfig(k));
            var (first, last) = Train(vae, data, 300);
            Assert.True(last < first - 0.3, $"k={k}: loss {first:F3} → {last:F3}");
        }
    }

    [Fact]
    public void Samples_are_seeded_and_survive_a_checkpoint_round_trip()
    {
        using var scope = torch.NewDisposeScope();
        var dir = RepoPaths.NewTempDir("loom-vae-ckpt");
        torch.random.manual_seed(2);
        var config = MoonsConfig() with { ClassNames = ["a", "b", "c"] };
        using var model = new VaeModel(new VariationalAutoencoder(config));
        var first = ((TensorSamples)model.Sample(new SampleRequest { Count = 6, Seed = 4, Class = 2 })).Values;
        var again = ((TensorSamples)model.Sample(new SampleRequest { Count = 6, Seed = 4, Class = 2 })).Values;
        var other = ((TensorSamples)model.Sample(new SampleRequest { Count = 6, Seed = 5, Class = 2 })).Values;
        Assert.Equal(new long[] { 6, 2 }, first.shape);
        Assert.True(first.eq(again).all().item<bool>());
        Assert.False(first.eq(other).all().item<bool>());
        Checkpoint.Save(dir, model, new ModelCard());
        using var loaded = (VaeModel)Checkpoint.Load(dir);
        Assert.Equal(config,
            loaded.Config with { ClassNames = config.ClassNames, SampleShape = config.SampleShape, TrainClasses = config.TrainClasses });
        var reloaded = ((TensorSamples)loaded.Sample(new SampleRequest { Count = 6, Seed = 4, Class = 2 })).Values;
        Assert.True(first.eq(reloaded).all().item<bool>());
        Assert.Throws<Loom.Core.LoomUsageException>(() => loaded.Sample(new SampleRequest { Count = 2, Class = 3 }));
        // Temperature scales the prior's standard deviation.
        var cooled = ((TensorSamples)model.Sample(new SampleRequest { Count = 6, Seed = 4, Class = 2, Temperature = 0.5 })).Values;
        var expected = model.Decode(0.5 * model.PriorLatents(6, 4), torch.full(6, 2L));
        Assert.True(cooled.allclose(expected, 1e-6, 1e-6));
        Assert.Throws<Loom.Core.LoomUsageException>(() => model.PriorLatents(2, 0, 0));
        // Without a class a conditional model spreads samples over the classes.
        var spread = model.SampleLabels(6, null)!;
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2 }, spread.data<long>().ToArray());
    }

    [Fact]
    public void Image_models_decode_to_unit_range_images_of_the_right_shape()
    {
        using var scope = torch.NewDisposeScope();
        torch.random.manual_seed(3);
        foreach (var (network, blocks) in new[] { ("mlp", 0), ("conv", 0), ("conv", 1) })
        {
            using var model = new VaeModel(new VariationalAutoencoder(new VaeConfig
            {
                Network = network, ResBlocks = blocks, LatentDim = 4, Hidden = 32, BaseChannels = 4, ClassNames = ["x", "y"]
            }));
            var images = ((TensorSamples)model.Sample(new SampleRequest { Count = 3, Seed = 1, Class = 1 })).Values;
            Assert.Equal(new long[] { 3, 1, 28, 28 }, images.shape);
            Assert.True(images.min().ToDouble() >= 0 && images.max().ToDouble() <= 1);
            var nll =
                model.ExampleNll(torch.bernoulli(torch.full(new long[] { 2, 1, 28, 28 }, 0.3f)), torch.tensor(new long[] { 0, 1 }), 20, 0);
            Assert.Equal(new long[] { 2 }, nll.shape);
            Assert.True(nll.gt(0).all().item<bool>());
        }
    }

    [Fact]
    public void Residual_blocks_add_parameters_round_trip_and_need_the_conv_network()
    {
        var plain = new VaeConfig { Network = "conv", LatentDim = 4, Hidden = 32, BaseChannels = 4 };
        using var without = new VariationalAutoencoder(plain);
        using var with = new VariationalAutoencoder(plain with { ResBlocks = 2 });
        var names = with.named_parameters().Select(p => p.name).ToHashSet();
        // The plain network's keys are unchanged, so checkpoints saved before residual blocks existed still load.
        Assert.Subset(names, without.named_parameters().Select(p => p.name).ToHashSet());
        Assert.Contains("decoder.blocks14.1.conv3.weight", names);
        Assert.Contains("encoder.blocks.0.conv1.weight", names);
        Assert.Equal(2, VaeConfig.FromJson(with.Config.ToJson()).ResBlocks);
        var old = plain.ToJson();
        old.Remove("res_blocks");
        Assert.Equal(0, VaeConfig.FromJson(old).ResBlocks);
        Assert.Throws<Loom.Core.LoomUsageException>(() => (plain with { Network = "mlp", ResBlocks = 1 }).Validate());
        Assert.Throws<Loom.Core.LoomUsageException>(() => (plain with { ResBlocks = -1 }).Validate());
    }

    [Fact]
    public void Tensor_count_stays_flat_across_train_steps_a_sample_and_an_nll_estimate()
    {
        torch.random.manual_seed(4);
        var data = new TensorDataset(torch.rand(64, 1, 28, 28), torch.randint(0, 2, [64], dtype: ScalarType.Int64));
        using var model = new VaeModel(new VariationalAutoencoder(new VaeConfig { LatentDim = 4, Hidden = 32, ClassNames = ["x", "y"] }));
        var objective = new VaeObjective(model.Network, data, new VaeTrainingOptions { BatchSize = 16 }, torch.CPU);
        var parameters = model.Network.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
        // Live tensors after each step: the first step creates the optimizer moments, later steps add nothing.
        var counts = new List<long>();
        using var trainer = new Trainer([new TrainingPhase("elbo", objective, parameters, new OptimizerOptions())],
            new TrainerOptions { Steps = 4, LogEvery = 1 })
        {
            Progress = new TensorCountRecorder(counts),
        };
        model.Network.train();
        trainer.Run();
        Assert.Equal(4, counts.Count); // one reading per step (LogEvery = 1), so the comparison below is over 3 steps
        Assert.All(counts.Skip(1), c => Assert.Equal(counts[1], c));
        long before = TensorCounts.Live;
        ((TensorSamples)model.Sample(new SampleRequest { Count = 4, Seed = 1 })).Dispose();
        var batch = data.Get([0, 1, 2]);
        model.ExampleNll(batch[0], batch[1], 30, 0).Dispose();
        foreach (var t in batch) t.Dispose();
        Assert.Equal(before, TensorCounts.Live);
    }
}
