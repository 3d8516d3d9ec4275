using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Adversarial;
using Loom.Tests.Support;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial;

/// <summary>GanModel: sample shapes, seeds, classes, checkpoint round trip with buffers, flat tensor counts.</summary>
public class GanModelTests
{
    [Fact]
    public void Samples_have_the_data_shape_and_range()
    {
        torch.manual_seed(0);
        using var images = TinyGans.Create(TinyGans.ConvConfig(classes: 3, spectralNorm: true));
        using var vectors = TinyGans.Create(TinyGans.MlpConfig(classes: 2));
        using var scope = torch.NewDisposeScope();
        var x = ((TensorSamples)images.Sample(new SampleRequest { Count = 5, Seed = 1 })).Values;
        Assert.Equal(new long[] { 5, 1, 28, 28 }, x.shape);
        Assert.True(torch.isfinite(x).all().item<bool>());
        Assert.True(x.min().ToDouble() >= 0 && x.max().ToDouble() <= 1);
        var v = ((TensorSamples)vectors.Sample(new SampleRequest { Count = 7, Seed = 1, Class = 1 })).Values;
        Assert.Equal(new long[] { 7, 2 }, v.shape);
        Assert.Equal(ScalarType.Float32, v.dtype);
    }

    [Fact]
    public void The_same_seed_gives_the_same_samples_and_another_seed_others()
    {
        torch.manual_seed(1);
        using var model = TinyGans.Create(TinyGans.MlpConfig());
        using var scope = torch.NewDisposeScope();
        Tensor Draw(long seed) => ((TensorSamples)model.Sample(new SampleRequest { Count = 16, Seed = seed })).Values;
        Assert.True(Draw(5).eq(Draw(5)).all().item<bool>());
        Assert.False(Draw(5).eq(Draw(6)).all().item<bool>());
    }

    [Fact]
    public void Temperature_scales_the_latents_and_must_be_positive()
    {
        torch.manual_seed(1);
        using var model = TinyGans.Create(TinyGans.MlpConfig());
        using var scope = torch.NewDisposeScope();
        var cool = ((TensorSamples)model.Sample(new SampleRequest { Count = 16, Seed = 5, Temperature = 0.5 })).Values;
        var expected = model.Decode(model.Latents(16, 5) * 0.5);
        Assert.True(cool.allclose(expected, rtol: 0, atol: 1e-6));
        Assert.False(cool.eq(((TensorSamples)model.Sample(new SampleRequest { Count = 16, Seed = 5 })).Values).all().item<bool>());
        Assert.True((model.Latents(4000, 3, 0.5).std().ToDouble() - 0.5) is > -0.02 and < 0.02);
        Assert.Throws<LoomUsageException>(() => model.Latents(4, 3, 0));
        Assert.Throws<LoomUsageException>(() => model.Latents(4, 3, double.NaN));
    }

    [Fact]
    public void Class_requests_reach_the_generator_and_unconditional_requests_spread_classes_evenly()
    {
        torch.manual_seed(2);
        using var model = TinyGans.Create(TinyGans.MlpConfig(classes: 4));
        using var scope = torch.NewDisposeScope();
        var latents = model.Latents(8, 3);
        var asClass2 = ((TensorSamples)model.Sample(new SampleRequest { Count = 8, Seed = 3, Class = 2 })).Values;
        Assert.True(asClass2.eq(model.Decode(latents, torch.full([8], 2L))).all().item<bool>());
        Assert.False(asClass2.eq(model.Decode(latents, torch.full([8], 1L))).all().item<bool>());
        Assert.Equal(new long[] { 0, 0, 1, 1, 2, 2, 3, 3 }, model.Labels(8, null)!.data<long>().ToArray());
        var spread = ((TensorSamples)model.Sample(new SampleRequest { Count = 8, Seed = 3 })).Values;
        Assert.True(spread.eq(model.Decode(latents, model.Labels(8, null))).all().item<bool>());
        Assert.Throws<LoomUsageException>(() => model.Sample(new SampleRequest { Count = 2, Class = 4 }));
        using var unconditional = TinyGans.Create(TinyGans.MlpConfig());
        var error = Assert.Throws<LoomUsageException>(() => unconditional.Sample(new SampleRequest { Count = 2, Class = 0 }));
        Assert.Contains("Class", error.Message);
    }

    [Fact]
    public void Config_round_trips_through_json_and_a_malformed_one_is_a_data_error()
    {
        var config = TinyGans.MlpConfig(GanLossKind.Hinge, classes: 3, spectralNorm: true) with { VectorRange = (-2.5, 7.25), Width = 24 };
        var json = config.ToJson();
        var back = GanConfig.FromJson(System.Text.Json.Nodes.JsonNode.Parse(json.ToJsonString())!.AsObject());
        Assert.Equal(json.ToJsonString(), back.ToJson().ToJsonString());
        Assert.Equal((-2.5, 7.25), back.VectorRange);
        Assert.Equal(GanLossKind.Hinge, back.Loss);
        Assert.Equal(3, back.NumClasses);
        json.Remove("latent_dim");
        Assert.Throws<LoomDataException>(() => GanConfig.FromJson(json));
        Assert.Throws<LoomDataException>(() => (config with { Network = "dcgan" }).CreateGenerator());   // [2] is not a 28×28 image
    }

    [Fact]
    public void A_checkpoint_restores_both_networks_with_their_buffers()
    {
        torch.manual_seed(3);
        using var folder = new TempFolder();
        using var model = TinyGans.Create(TinyGans.ConvConfig(classes: 2, spectralNorm: true, batchNorm: true));
        // Move the buffers away from their initial values: spectral-norm vectors and BatchNorm running statistics.
        model.Generator.train();
        model.Discriminator.train();
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
        {
            var labels = torch.tensor(new long[] { 0, 1, 1, 0 });
            model.Discriminator.Score(model.Generator.Generate(torch.randn(4, 8), labels), labels);
        }
        var state = model.GetState();
        Assert.Contains("generator.norm_1.running_mean", state.Keys);
        Assert.Contains(state.Keys,
            k => k.StartsWith("discriminator.", StringComparison.Ordinal) && k.EndsWith("weight_u", StringComparison.Ordinal));
        Assert.Contains(state.Keys,
            k => k.StartsWith("discriminator.", StringComparison.Ordinal) && k.EndsWith("weight_orig", StringComparison.Ordinal));
        Checkpoint.Save(folder.Path, model, new ModelCard());
        using var loaded = (GanModel)Checkpoint.Load(folder.Path);
        Assert.Equal(model.Config.ToJson().ToJsonString(), loaded.Config.ToJson().ToJsonString());
        var restored = loaded.GetState();
        Assert.Equal(state.Keys.Order(), restored.Keys.Order());
        foreach (var (key, value) in state)
            Assert.True(value.eq(restored[key]).all().item<bool>(), key);
    }

    [Fact]
    public void Tensor_counts_stay_flat_across_train_steps_of_both_phases_and_a_sample()
    {
        torch.manual_seed(4);
        using var model = TinyGans.Create(TinyGans.MlpConfig(GanLossKind.Hinge, classes: 2, spectralNorm: true));
        var data = new TensorDataset(torch.randn(64, 2), torch.randint(0, 2, [64], dtype: ScalarType.Int64));
        var phases = GanTraining.CreatePhases(model, data, TinyGans.Options(batchSize: 16, gradientPenalty: 10, nCritic: 2), torch.CPU);
        using (var warm = new Trainer(phases.All, new TrainerOptions { Steps = 2 }))
            warm.Run();
        ((TensorSamples)model.Sample(new SampleRequest { Count = 4, Seed = 1 })).Dispose();
        // Live tensors after each step of a new run: the first step creates the optimizer moments, later steps add nothing.
        var counts = new List<long>();
        using var trainer =
            new Trainer(phases.All, new TrainerOptions { Steps = 6, LogEvery = 1 }) { Progress = new TensorCountRecorder(counts) };
        trainer.Run();
        Assert.Equal(6, counts.Count);
        Assert.True(counts.Skip(1).All(c => c == counts[1]), string.Join(", ", counts));
        long before = TensorCounts.Live;
        ((TensorSamples)model.Sample(new SampleRequest { Count = 4, Seed = 2, Class = 1 })).Dispose();
        Assert.Equal(before, TensorCounts.Live);
    }
}
