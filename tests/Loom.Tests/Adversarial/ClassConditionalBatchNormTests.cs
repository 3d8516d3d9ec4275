using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Adversarial;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial;

/// <summary>Class-conditional BatchNorm against a hand-written batch normalization, and the generator and config that use it.</summary>
public class ClassConditionalBatchNormTests
{
    [Fact]
    public void Training_output_is_the_batch_normalized_input_scaled_and_shifted_by_the_rows_of_each_class()
    {
        torch.manual_seed(0);
        using var norm = new ClassConditionalBatchNorm(3, 4);
        norm.train();
        using var scope = torch.NewDisposeScope();
        var state = ModuleTensors.Capture(norm);
        using (torch.no_grad())
        {
            state["gain.weight"].copy_(torch.randn(4, 3));
            state["bias.weight"].copy_(torch.randn(4, 3));
        }
        var x = torch.randn(6, 3, 5, 5) * 2 + 1;
        var labels = torch.tensor(new long[] { 0, 3, 3, 1, 2, 0 });
        var y = norm.forward(x, labels);

        // Reference: per-channel statistics over batch and space (biased variance), then γ[y]·x̂ + β[y] per example.
        var expected = torch.zeros_like(x);
        for (int c = 0; c < 3; c++)
        {
            var channel = x.select(1, c);
            double mean = channel.mean().ToDouble();
            double variance = (channel - mean).pow(2).mean().ToDouble();
            for (int i = 0; i < 6; i++)
            {
                long k = labels[i].ToInt64();
                double gain = state["gain.weight"][k, c].ToDouble(), bias = state["bias.weight"][k, c].ToDouble();
                expected[i, c] = (x[i, c] - mean) / Math.Sqrt(variance + 1e-5) * gain + bias;
            }
        }
        Assert.True(y.allclose(expected, rtol: 1e-4, atol: 1e-4), $"max |Δ| {(y - expected).abs().max().ToDouble()}");
        // The running statistics moved towards the batch's (momentum 0.1), as in a plain BatchNorm.
        Assert.True(state["norm.running_mean"].allclose(x.mean([0, 2, 3]) * 0.1, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void A_new_module_is_a_plain_batch_norm_and_each_class_row_reaches_only_its_examples()
    {
        torch.manual_seed(1);
        using var norm = new ClassConditionalBatchNorm(2, 3);
        using var plain = nn.BatchNorm2d(2, affine: false);
        norm.eval();
        plain.eval();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(4, 2, 3, 3);
        var labels = torch.tensor(new long[] { 0, 1, 2, 1 });
        Assert.True(norm.forward(x, labels).allclose(plain.forward(x), rtol: 0, atol: 1e-6));
        using (torch.no_grad()) ModuleTensors.Capture(norm)["bias.weight"][1].fill_(5.0);
        var shifted = norm.forward(x, labels) - plain.forward(x);
        Assert.True(shifted[torch.tensor(new long[] { 1, 3 })].allclose(torch.full([2, 2, 3, 3], 5f), rtol: 0, atol: 1e-5));
        Assert.True(shifted[torch.tensor(new long[] { 0, 2 })].abs().max().ToDouble() < 1e-6);
    }

    [Fact]
    public void A_class_norm_generator_checkpoints_round_trip_and_the_option_needs_a_conditional_image_gan()
    {
        torch.manual_seed(2);
        using var folder = new TempFolder();
        var config = TinyGans.ConvConfig(classes: 3, spectralNorm: true) with { ClassNorm = true };
        using var model = TinyGans.Create(config);
        model.Generator.train();
        using (torch.no_grad())
        using (var scope = torch.NewDisposeScope())
            model.Generator.Generate(torch.randn(6, 8), torch.tensor(new long[] { 0, 1, 2, 0, 1, 2 }));
        var state = model.GetState();
        Assert.Contains("generator.class_norm_1.gain.weight", state.Keys);
        Assert.Contains("generator.class_norm_2.norm.running_var", state.Keys);
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("generator.norm_", StringComparison.Ordinal));
        Assert.Equal(new long[] { 3, 4 * 4 }, state["generator.class_norm_1.bias.weight"].shape);
        Checkpoint.Save(folder.Path, model, new ModelCard());
        using var loaded = (GanModel)Checkpoint.Load(folder.Path);
        Assert.True(loaded.Config.ClassNorm);
        foreach (var (key, value) in state)
            Assert.True(value.eq(loaded.GetState()[key]).all().item<bool>(), key);

        // A config.json written before the option existed has no class_norm: plain BatchNorm.
        var json = config.ToJson();
        json.Remove("class_norm");
        Assert.False(GanConfig.FromJson(json).ClassNorm);
        Assert.Contains("ClassNorm",
            Assert.Throws<LoomUsageException>(() => (TinyGans.ConvConfig() with { ClassNorm = true }).Validate()).Message);
        Assert.Contains("ClassNorm",
            Assert.Throws<LoomUsageException>(() => (TinyGans.MlpConfig(classes: 2) with { ClassNorm = true }).Validate()).Message);
    }
}
