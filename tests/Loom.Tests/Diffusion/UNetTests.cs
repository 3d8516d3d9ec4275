using Loom.Data;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Networks;
using Loom.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Loom.Tests.Diffusion;

public class UNetTests
{
    private static UNetConfig Tiny(int classes = 0) =>
        new() { BaseChannels = 8, Multipliers = [1, 2], Groups = 4, AttentionLevels = [1], Resolution = 8, NumClasses = classes };


    [Fact]
    public void Output_has_the_input_shape_and_depends_on_time_and_label()
    {
        torch.manual_seed(0);
        using var net = new UNet(Tiny(classes: 3));
        net.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.randn(4, 1, 8, 8);
        var t = torch.tensor(new float[] { 10, 10, 900, 10 });
        var y = net.Predict(x.expand(4, 1, 8, 8), t, torch.tensor(new long[] { 0, 1, 0, 3 }));
        Assert.Equal(x.shape, y.shape);
        Assert.True(torch.isfinite(y).all().item<bool>());
        static double Diff(Tensor a, Tensor b) => (a - b).abs().sum().ToDouble();
        Assert.True(Diff(y[0..1], net.Predict(x[0..1], t[2..3], torch.tensor(new long[] { 0 }))) > 1e-3);   // time matters
        Assert.True(Diff(y[0..1], net.Predict(x[0..1], t[0..1], torch.tensor(new long[] { 1 }))) > 1e-3);   // label matters
    }

    [Fact]
    public void Trainer_lowers_the_denoising_loss_of_the_mlp_denoiser()
    {
        torch.manual_seed(0);
        using var net = new MlpDenoiser(new MlpDenoiserConfig(Dimensions: 2, Width: 32, Layers: 2));
        var schedule = new NoiseSchedule(BetaScheduleKind.Linear, 100);
        var x = ToyData.Generate("8gaussians", 512, 0, dtype: ScalarType.Float32);
        var objective = new DiffusionObjective(net, schedule, PredictionType.Epsilon, new TensorDataset(x),
            new DiffusionTrainingOptions { BatchSize = 128 }, torch.CPU);
        var parameters = net.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
        var losses = new List<double>();
        using var trainer = new Trainer([new TrainingPhase("denoise", objective, parameters, new OptimizerOptions { LearningRate = 3e-3 })],
            new TrainerOptions { Steps = 200, LogEvery = 1 })
        {
            Progress = new LossRecorder(losses),
        };
        trainer.Run();
        Assert.True(losses.TakeLast(20).Average() < 0.8 * losses.Take(20).Average(),
            $"loss did not fall: {losses.Take(20).Average():F3} → {losses.TakeLast(20).Average():F3}");
    }

    private sealed class LossRecorder(List<double> losses) : ITrainingProgress
    {
        public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta) => losses.Add(loss);
    }
}
