using System.Diagnostics;
using Loom.Core;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Language;
using Loom.Models.Latent;
using Loom.Models.Transformer;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>train-flops [--steps 5]</c>: achieved training GFLOP/s of three models against this machine's measured float32
/// matmul peak (<see cref="MachineLimits"/>): nanoGPT's shakespeare-char transformer (6 layers, 6 heads, 384 wide,
/// context 256, batch 8; FLOPs per token 6N + 12·layers·context·width, nanoGPT's own estimate), the Fashion-MNIST
/// U-Net (base 32, multipliers 1,2,2, batch 64) and the conv VAE (base 32, batch 64), whose FLOPs are counted per
/// layer by <see cref="ForwardFlops"/> (training = 3 × forward). Each step is forward + backward + AdamW at the
/// libtorch thread count of the process, timed after two warm-up steps. The transformer trains through Loom's own
/// <see cref="Optimizer"/> twice: in float32, and in bfloat16 with float32 master weights (<see cref="TrainingPrecision"/>),
/// the latter set against the bfloat16 matmul peak.
/// </summary>
public static class TrainFlopsBench
{
    public static int Run(string[] args)
    {
        int steps = BenchSupport.Option(args, "--steps", 5);
        TorchRuntime.EnsureLoaded();
        Console.WriteLine(($"train-flops: torch threads {get_num_threads()}, float32 matmul peak "
            + $"{BenchTable.MatmulGflops:F1} GFLOP/s"));
        Transformer(steps, ScalarType.Float32);
        Transformer(steps, ScalarType.BFloat16);
        UNetStep(steps);
        ConvVae(steps);
        return 0;
    }

    private static void Transformer(int steps, ScalarType precision)
    {
        const int batch = 8, context = 256;
        manual_seed(0);
        using var model = new DecoderTransformer(TransformerConfig.Gpt2(65, context, 6, 6, 384), seed: 0);
        long parameters = model.parameters().Sum(p => p.numel());
        double flopsPerStep = TransformerFlopsPerToken(model, context) * batch * context;
        TrainingPrecision.Lower(model, precision);
        var tokens = randint(0, 65, [batch, context + 1], dtype: ScalarType.Int64);
        var x = tokens[.., ..context].contiguous();
        var y = tokens[.., 1..].contiguous();
        using var optimizer = new Optimizer(model.parameters().ToList(), new OptimizerOptions { LearningRate = 1e-3, WeightDecay = 0.01 });
        double ms = TimeSteps(steps, () =>
        {
            optimizer.ZeroGrad();
            LanguageModelTraining.Loss(model, x, y, out _).backward();
            optimizer.Step(1e-3);
        });
        string what = $"char transformer 6x384, ctx 256, batch 8 ({parameters / 1e6:F1}M params), {TrainingPrecision.Name(precision)}";
        Report(what, ms, flopsPerStep, precision);
    }

    private static void UNetStep(int steps)
    {
        const int batch = 64;
        manual_seed(0);
        using var net = new UNet(new UNetConfig { BaseChannels = 32, Multipliers = [1, 2, 2], ResBlocksPerLevel = 1, NumClasses = 10 });
        var x = randn(batch, 1, 28, 28);
        var t = randint(0, 1000, [batch]).to(ScalarType.Float32);
        var labels = randint(0, 11, [batch], dtype: ScalarType.Int64);
        double forward = ForwardFlops.Count(net, () => net.Predict(x, t, labels));
        using var optimizer = optim.AdamW(net.parameters(), 2e-4);
        double ms = TimeSteps(steps, () =>
        {
            optimizer.zero_grad();
            (net.Predict(x, t, labels) - x).pow(2).mean().backward();
            optimizer.step();
        });
        Report($"Fashion-MNIST U-Net base 32, mults 1,2,2, batch 64 ({Params(net) / 1e6:F2}M params)", ms, 3 * forward);
    }

    private static void ConvVae(int steps)
    {
        const int batch = 64;
        manual_seed(0);
        using var vae = new VariationalAutoencoder(new VaeConfig { Network = "conv", BaseChannels = 32 });
        var x = rand(batch, 1, 28, 28).round();
        double forward = ForwardFlops.Count(vae, () => vae.Elbo(x, null));
        using var optimizer = optim.AdamW(vae.parameters(), 1e-3);
        double ms = TimeSteps(steps, () =>
        {
            optimizer.zero_grad();
            (-vae.Elbo(x, null).Elbo.mean()).backward();
            optimizer.step();
        });
        Report($"conv VAE base 32, batch 64 ({Params(vae) / 1e6:F2}M params)", ms, 3 * forward);
    }

    private static long Params(nn.Module module) => module.parameters().Sum(p => p.numel());

    /// <summary>nanoGPT's estimate of a transformer's training FLOPs per token: 6 N (N without the position embedding
    /// <c>wpe</c>) + 12 · layers · context · width.</summary>
    public static double TransformerFlopsPerToken(DecoderTransformer model, int context)
    {
        long n = model.named_parameters().Where(p => !p.name.Contains("wpe")).Sum(p => p.parameter.numel());
        return 6.0 * n + 12.0 * model.Config.Layers * context * model.Config.Width;
    }

    private static double TimeSteps(int steps, Action step)
    {
        void Step()
        {
            using var scope = NewDisposeScope();
            step();
        }
        Step();
        Step();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
            Step();
        return clock.Elapsed.TotalMilliseconds / steps;
    }

    private static void Report(string what, double msPerStep, double flopsPerStep, ScalarType precision = ScalarType.Float32)
    {
        double gflops = flopsPerStep / (msPerStep / 1000) / 1e9;
        Console.WriteLine(BenchTable.Format(
            $"{what}: {msPerStep:F0} ms/step, {flopsPerStep / 1e9:F2} GFLOP/step, {gflops:F1} GFLOP/s"));
        BenchTable.Add(new BenchRow($"train step, {what}", BenchTable.Format($"{msPerStep:F0} ms/step"), "—", null,
            precision == ScalarType.Float32 ? BenchTable.OfMatmulPeak(gflops) : BenchTable.OfBfloatMatmulPeak(gflops)));
    }
}
