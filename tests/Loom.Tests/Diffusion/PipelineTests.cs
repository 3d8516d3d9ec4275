using Loom.Data;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Diffusion.Samplers;
using Loom.Tests.Support;
using Loom.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Loom.Tests.Diffusion;

public class PipelineTests
{
    private static DiffusionPipeline Gaussian(double mean = 0.5, double std = 1.0)
    {
        var schedule = new NoiseSchedule(BetaScheduleKind.Linear, 1000);
        return new DiffusionPipeline(new GaussianDenoiser(schedule, mean, std), schedule, PredictionType.Epsilon, [4], images: false);
    }

    [Fact]
    public void Inpainting_keeps_the_known_entries_and_samples_the_rest_from_the_data_distribution()
    {
        using var scope = torch.NewDisposeScope();
        var image = torch.tensor(new float[] { 9, -9, 9, -9 });
        var mask = torch.tensor(new float[] { 1, 1, 0, 0 });
        foreach (var resample in new[] { 1, 3 })
        {
            var x = Gaussian().Generate(new DiffusionRequest
            {
                Count = 2000, Seed = 1, Image = image, Mask = mask, Resample = resample,
                Sampler = new SamplerOptions { Sampler = "ddpm", Steps = 100 }
            });
            Assert.True(x[.., 0].eq(9).all().item<bool>() && x[.., 1].eq(-9).all().item<bool>(), "known entries changed");
            // Independent dimensions: the generated ones follow N(0.5, 1) whatever the known ones are.
            Assert.InRange(x[.., 2..].mean().ToDouble(), 0.42, 0.58);
            Assert.InRange(x[.., 2..].std().ToDouble(), 0.9, 1.05);
        }
    }

    [Fact]
    public void Image_to_image_strength_controls_how_far_samples_move_from_the_input()
    {
        using var scope = torch.NewDisposeScope();
        var image = torch.full(4, 3.0f);
        double Distance(double strength) => (Gaussian().Generate(new DiffusionRequest
        {
            Count = 500, Seed = 2, Image = image, Strength = strength, Sampler = new SamplerOptions { Sampler = "ddim", Steps = 50 },
        }) - 3).square().sum(1).sqrt().mean().ToDouble();
        double low = Distance(0.1), mid = Distance(0.5), full = Distance(1.0);
        Assert.True(low < 1.0 && low < mid && mid < full, $"distances {low:F3}, {mid:F3}, {full:F3}");
        Assert.InRange(full, 4.0, 6.0);   // strength 1 forgets the input: |N(0.5,1)⁴ − 3| ≈ 5.1
    }

    [Fact]
    public void Slerp_keeps_the_norm_between_orthogonal_noise_vectors()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 0 });
        var b = torch.tensor(new float[] { 0, 1 });
        var mid = DiffusionPipeline.Slerp(a, b, 0.5);
        Assert.Equal(1.0, mid.norm().ToDouble(), 5);
        Assert.Equal(mid[0].ToDouble(), mid[1].ToDouble(), 6);
    }

    [Fact]
    public void Tensor_counts_stay_flat_across_a_train_step_and_a_sample()
    {
        torch.manual_seed(0);
        using var net = new MlpDenoiser(new MlpDenoiserConfig(Dimensions: 2, Width: 16, Layers: 1, NumClasses: 2));
        var schedule = new NoiseSchedule(BetaScheduleKind.Cosine, 50);
        var data = new TensorDataset(torch.randn(64, 2), torch.randint(0, 2, [64], dtype: ScalarType.Int64));
        var objective = new DiffusionObjective(net, schedule, PredictionType.Velocity, data,
            new DiffusionTrainingOptions { BatchSize = 16, MinSnrGamma = 5 }, torch.CPU);
        var parameters = net.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
        using var trainer = new Trainer([new TrainingPhase("denoise", objective, parameters, new OptimizerOptions())],
            new TrainerOptions { Steps = 2, EmaDecay = 0.9, EmaWarmup = true });
        trainer.Run();
        var pipeline = new DiffusionPipeline(net, schedule, PredictionType.Velocity, [2], images: false);
        var request = new DiffusionRequest
        {
            Count = 4, Labels = [0, 1, 0, 1], Guidance = 3, Sampler = new SamplerOptions { Sampler = "dpm++2m", Steps = 10 }
        };
        pipeline.Generate(request).Dispose();
        // Live tensors after each step of a new run: the first step creates the optimizer moments, later steps add nothing.
        var counts = new List<long>();
        using var trainer2 = new Trainer([new TrainingPhase("denoise", objective, parameters, new OptimizerOptions())],
            new TrainerOptions { Steps = 4, LogEvery = 1 })
        {
            Progress = new TensorCountRecorder(counts),
        };
        trainer2.Run();
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Skip(1), c => Assert.Equal(counts[1], c));
        long before = TensorCounts.Live;
        var growth = new List<string>();
        foreach (var sampler in SamplerOptions.Names)
        {
            long start = TensorCounts.Live;
            pipeline.Generate(request with { Sampler = new SamplerOptions { Sampler = sampler, Steps = 5, LangevinSteps = 2 } }).Dispose();
            if (TensorCounts.Live != start) growth.Add($"{sampler} +{TensorCounts.Live - start}");
        }
        Assert.True(growth.Count == 0, string.Join(", ", growth));
        Assert.Equal(before, TensorCounts.Live);
    }
}
