using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Latent.Quantized;
using Loom.Tests.Support;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Latent.Quantized;

/// <summary>The VQ-VAE model: config and checkpoint round trips (EMA buffers included), conditional sampling, flat tensor counts.</summary>
public class VqVaeModelTests : OneTorchThread
{
    // Static tensors may be first touched inside a trainer's dispose scope: detach them so no scope owns them.
    private static readonly Tensor Images = torch.rand([24, 1, 28, 28], generator: new Generator(3)).DetachFromDisposeScope();

    private static VqVaeModel TrainedALittle(int classes = 0)
    {
        torch.manual_seed(1);
        var model = new VqVaeModel(PixelCnnPriorTests.TinyConfig(classes));
        // One training-mode pass moves the EMA buffers away from their initial values.
        model.Autoencoder.train();
        using (torch.no_grad()) model.Autoencoder.Loss(Images.narrow(0, 0, 8));
        model.Eval();
        return model;
    }

    [Fact]
    public void A_model_built_inside_a_dispose_scope_outlives_it()
    {
        torch.manual_seed(2);
        VqVaeModel built;
        using (torch.NewDisposeScope())
            built = new VqVaeModel(PixelCnnPriorTests.TinyConfig(2));
        using var model = built;
        torch.manual_seed(2);
        using var reference = new VqVaeModel(PixelCnnPriorTests.TinyConfig(2));
        Assert.Equal(reference.GetState().Keys.Order(), model.GetState().Keys.Order());
        foreach (var (name, value) in reference.GetState())
            Assert.True(value.eq(model.GetState()[name]).all().item<bool>(), name);
        using var samples = ((TensorSamples)model.Sample(new SampleRequest { Count = 2, Seed = 1 })).Values;
        Assert.Equal(new long[] { 2, 1, 28, 28 }, samples.shape);
    }

    [Fact]
    public void Config_round_trips_through_json()
    {
        var config = PixelCnnPriorTests.TinyConfig(2) with { Commitment = 0.3, EmaDecay = 0.95, DeadCodeThreshold = 0.5, DataName = "x" };
        var back = VqVaeConfig.FromJson(System.Text.Json.Nodes.JsonNode.Parse(config.ToJson().ToJsonString())!.AsObject());
        Assert.Equal(config.ToJson().ToJsonString(), back.ToJson().ToJsonString());
        Assert.Equal(config with { ClassNames = back.ClassNames }, back);
        var broken = config.ToJson();
        broken.Remove("codes");
        Assert.Throws<LoomDataException>(() => VqVaeConfig.FromJson(broken));
        var zero = config.ToJson();
        zero["codes"] = 0;
        Assert.Contains("'codes' must be an integer from 2", Assert.Throws<LoomDataException>(() => VqVaeConfig.FromJson(zero)).Message);
    }

    [Fact]
    public void Checkpoint_round_trip_keeps_the_ema_buffers_and_gives_identical_samples()
    {
        var dir = RepoPaths.NewTempDir("loom-vqvae-ckpt");
        using var model = TrainedALittle();
        var state = model.GetState();
        foreach (var key in new[] { "vqvae.quantizer.codebook", "vqvae.quantizer.cluster_size", "vqvae.quantizer.code_sum" })
            Assert.Contains(key, state.Keys);
        Assert.Contains(state.Keys, k => k.StartsWith("prior.", StringComparison.Ordinal));
        Assert.DoesNotContain(state.Keys,
            k => k.Contains("open_", StringComparison.Ordinal)); // the prior's tap indices are rebuilt, not saved
        Assert.True(model.Autoencoder.Quantizer.ClusterSize.ne(1).any().item<bool>(), "the EMA step should have moved the cluster sizes");
        Checkpoint.Save(dir, model, new ModelCard());
        using var loaded = (VqVaeModel)Checkpoint.Load(dir);
        Assert.Equal("vqvae", loaded.Kind);
        foreach (var (name, value) in model.GetState())
            Assert.True(value.eq(loaded.GetState()[name]).all().item<bool>(), name);
        using var a = ((TensorSamples)model.Sample(new SampleRequest { Count = 4, Seed = 9 })).Values;
        using var b = ((TensorSamples)loaded.Sample(new SampleRequest { Count = 4, Seed = 9 })).Values;
        using var c = ((TensorSamples)loaded.Sample(new SampleRequest { Count = 4, Seed = 10 })).Values;
        Assert.Equal(new long[] { 4, 1, 28, 28 }, a.shape);
        Assert.True(a.eq(b).all().item<bool>(), "same seed, same samples after a checkpoint round trip");
        Assert.False(a.eq(c).all().item<bool>(), "different seeds should differ");
        Assert.InRange(a.min().ToDouble(), 0, 1);
        Assert.InRange(a.max().ToDouble(), 0, 1);
        // A checkpoint without the EMA buffers is rejected with the missing name.
        var partial = model.GetState().Where(kv => !kv.Key.EndsWith("cluster_size", StringComparison.Ordinal)).ToDictionary();
        var error = Assert.Throws<LoomDataException>(() => new VqVaeFamily().Load(model.GetConfig(), partial, CPU));
        Assert.Contains("vqvae.quantizer.cluster_size", error.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Conditional_prior_samples_each_class_and_encode_reconstruct_have_the_right_shapes()
    {
        using var model = TrainedALittle(classes: 3);
        using var one = ((TensorSamples)model.Sample(new SampleRequest { Count = 2, Seed = 1, Class = 2 })).Values;
        Assert.Equal(new long[] { 2, 1, 28, 28 }, one.shape);
        using var cycled = model.SampleCodes(5, 1);
        Assert.Equal(new long[] { 5, 7, 7 }, cycled.shape);
        using var asClass2 = model.SampleCodes(2, 1, labels: [2, 2]);
        Assert.Equal(new long[] { 2, 7, 7 }, asClass2.shape);
        Assert.Contains("Class", Assert.Throws<LoomUsageException>(() => model.SampleCodes(1, 1, labels: [3])).Message);
        using var codes = model.Encode(Images);
        Assert.Equal(ScalarType.Int64, codes.dtype);
        Assert.Equal(new long[] { 24, 7, 7 }, codes.shape);
        using var reconstructed = model.Reconstruct(Images);
        Assert.Equal(Images.shape, reconstructed.shape);
        Assert.InRange(reconstructed.min().ToDouble(), 0, 1);
        Assert.Throws<LoomDataException>(() => model.Encode(torch.zeros(2, 1, 14, 14)));
        Assert.Throws<LoomDataException>(() => model.Decode(torch.full([1, 7, 7], 8L)));
        Assert.IsType<VqVaeFamily>(ModelRegistry.Get("vqvae"));
    }

    [Fact]
    public void Tensor_counts_stay_flat_across_both_stages_and_a_sample()
    {
        using var model = TrainedALittle(classes: 2);
        var labels = torch.tensor(Enumerable.Range(0, 24).Select(i => (long)(i % 2)).ToArray()).DetachFromDisposeScope();
        model.Autoencoder.train();
        var stage1 = new TrainingPhase("autoencoder", new AutoencoderObjective(model.Autoencoder, Images, 8, 0, CPU),
            model.Autoencoder.parameters().ToList(), new OptimizerOptions());
        var counts1 = RunCounting(stage1);
        model.Eval();
        var codes = PriorCodes.Encode(model, Images).DetachFromDisposeScope();
        var stage2 = new TrainingPhase("prior", new PriorObjective(model.Prior, codes, labels, 8, 0, CPU),
            model.Prior.parameters().ToList(), new OptimizerOptions());
        var counts2 = RunCounting(stage2);
        foreach (var counts in new[] { counts1, counts2 })
        {
            Assert.Equal(4, counts.Count);
            Assert.All(counts.Skip(1), c => Assert.Equal(counts[1], c));
        }
        ((TensorSamples)model.Sample(new SampleRequest { Count = 2, Seed = 1 })).Dispose();
        using var four = Images.narrow(0, 0, 4);
        long before = TensorCounts.Live;
        for (int i = 0; i < 2; i++)
            ((TensorSamples)model.Sample(new SampleRequest { Count = 3, Seed = i, Class = 1 })).Dispose();
        model.Reconstruct(four).Dispose();
        Assert.Equal(before, TensorCounts.Live);
    }

    /// <summary>
    /// Live tensors after each of 4 steps of a fresh trainer: the first step creates the optimizer moments, later steps
    /// add nothing.
    /// </summary>
    private static List<long> RunCounting(TrainingPhase phase)
    {
        var counts = new List<long>();
        using var trainer = new Trainer([phase], new TrainerOptions { Steps = 4, LogEvery = 1 })
        {
            Progress = new TensorCountRecorder(counts),
        };
        trainer.Run();
        return counts;
    }
}
