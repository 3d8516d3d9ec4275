using System.Diagnostics;
using Loom.Models.Diffusion.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// Milliseconds per training step (forward + backward + AdamW) and per sampling forward of the Fashion-MNIST U-Net.
/// Usage: unet-step [--base 32] [--mults 1,2,2] [--blocks 1] [--batch 64] [--steps 20] [--channels-last]
/// <c>--channels-last</c> gives the input channels-last strides (TorchSharp has no memory_format conversion; a permute to
/// NHWC, made contiguous, permuted back) and the convolution weights the same (Tensor.set_ onto the NHWC copy), which
/// libtorch's oneDNN convolutions then follow through the network.
/// </summary>
public static class UNetStepBench
{
    public static int Run(string[] args)
    {
        int baseChannels = BenchSupport.Option(args, "--base", 32);
        int blocks = BenchSupport.Option(args, "--blocks", 1);
        int batch = BenchSupport.Option(args, "--batch", 64);
        int steps = BenchSupport.Option(args, "--steps", 20);
        var mults = (BenchSupport.StringOption(args, "--mults") ?? "1,2,2").Split(',').Select(int.Parse).ToArray();
        torch.manual_seed(0);
        using var net =
            new UNet(new UNetConfig { BaseChannels = baseChannels, Multipliers = mults, ResBlocksPerLevel = blocks, NumClasses = 10 });
        long parameters = net.parameters().Sum(p => p.numel());
        using var optimizer = torch.optim.AdamW(net.parameters(), 2e-4);
        var x = torch.randn(batch, 1, 28, 28);
        if (args.Contains("--channels-last"))
        {
            x = ChannelsLast(x);
            using var noGrad = torch.no_grad();
            foreach (var p in net.parameters().Where(p => p.dim() == 4))
                p.set_(ChannelsLast(p));
        }
        var t = torch.randint(0, 1000, [batch]).to(ScalarType.Float32);
        var labels = torch.randint(0, 11, [batch], dtype: ScalarType.Int64);
        static Tensor ChannelsLast(Tensor t) => t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        double Time(Action step)
        {
            for (int i = 0; i < 3; i++) step();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) step();
            return clock.Elapsed.TotalMilliseconds / steps;
        }
        double train = Time(() =>
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = (net.Predict(x, t, labels) - x).pow(2).mean();
            loss.backward();
            optimizer.step();
        });
        double infer = Time(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            net.Predict(x, t, labels);
        });
        Console.WriteLine($"unet base {baseChannels} mults [{string.Join(",", mults)}] blocks {blocks}: {parameters:N0} parameters, "
            + $"threads {torch.get_num_threads()}, input strides [{string.Join(",", x.stride())}], first "
            + $"convolution weight strides [{string.Join(",", net.parameters().First(p => p.dim() == 4).stride())}]");
        Console.WriteLine(
            $"batch {batch}: train step {train:F1} ms, forward (no grad) {infer:F1} ms ({batch / infer * 1000:F0} images/s per forward)");
        return 0;
    }
}
