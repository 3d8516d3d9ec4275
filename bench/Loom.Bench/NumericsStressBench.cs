using System.Diagnostics;
using Loom.Core;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// Numerics under garbage-collector pressure: conv2d and conv_transpose2d forward + backward passes written the way
/// user code writes them (scalar arithmetic through implicit <c>Scalar</c>s, temporaries left to the collector), then
/// U-Net training steps, while a second thread allocates and forces collections (finalizers run continuously).
/// Every pass recomputes the same values from the same inputs, so besides non-finite values it counts passes whose
/// values differ from the first pass's (garbage that happens to be finite). Exit code 1 when anything was wrong.
/// Loom's guards (<see cref="TorchNumerics"/>) are on; <c>LOOM_ONEDNN=1</c> and the package's TorchSharp.dll in the output
/// folder show what each guards against.
/// The conv2d is Loom's <see cref="Conv2dLayer"/> (8 → 4 channels); <c>--plain-conv</c> uses <c>nn.Conv2d</c> and shows
/// libtorch 2.10's oneDNN input-gradient bug.
/// The U-Net is the quickstart's (16 base channels, multipliers 1,2, attention at 14×14).
/// Usage: numerics-stress [--passes 10000] [--unet-steps 1000] [--unet-base 16] [--threads 2] [--no-gc] [--scoped] [--plain-conv]
/// </summary>
public static class NumericsStressBench
{
    public static int Run(string[] args)
    {
        int passes = BenchSupport.Option(args, "--passes", 10000);
        int unetSteps = BenchSupport.Option(args, "--unet-steps", 1000);
        int threads = BenchSupport.Option(args, "--threads", 2);
        UNetBase = BenchSupport.Option(args, "--unet-base", 16);
        bool pressure = !args.Contains("--no-gc");
        bool scoped = args.Contains("--scoped");
        TorchNumerics.Apply();
        torch.set_num_threads(threads);
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.KeepAlive(new byte[1 << 16]);
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        })
        { IsBackground = true, Name = "gc-pressure" };
        if (pressure)
            collector.Start();
        int gen2Before = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();
        var conv = ConvPasses(passes, scoped, args.Contains("--plain-conv"));
        var unet = UNetSteps(unetSteps);
        stop.Cancel();
        if (pressure)
            collector.Join();
        Console.WriteLine($"lifetime guard {TorchNumerics.LifetimeGuard ?? "MISSING"}, oneDNN convolutions {TorchNumerics.OneDnn}");
        Console.WriteLine($"threads {torch.get_num_threads()}, gc pressure {(pressure ? "on" : "off")}, scoped {scoped}, " +
                          $"{GC.CollectionCount(2) - gen2Before} full collections ({GC.CollectionCount(0)} gen0), "
                              + $"{clock.Elapsed.TotalSeconds:F0} s");
        Console.WriteLine($"conv2d + conv_transpose2d: {passes} passes, {conv.NonFinite} with non-finite values, "
            + $"{conv.Mismatched} differing from pass 1");
        Console.WriteLine($"u-net training: {unetSteps} steps, {unet.NonFinite} with a non-finite loss or gradient, {unet.Mismatched} "
            + $"differing from a twin run");
        bool clean = conv.NonFinite + conv.Mismatched + unet.NonFinite + unet.Mismatched == 0;
        Console.WriteLine(clean ? "clean" : "NOT CLEAN");
        return clean ? 0 : 1;
    }

    private static int UNetBase = 16;

    private readonly record struct Counts(int NonFinite, int Mismatched);

    private static Counts ConvPasses(int passes, bool scoped, bool plain)
    {
        torch.manual_seed(0);
        using nn.Module<Tensor, Tensor> conv = plain ? nn.Conv2d(8, 4, 3, padding: 1) : new Conv2dLayer(8, 4, 3, padding: 1);
        using var convT = nn.ConvTranspose2d(8, 4, 4, stride: 2, padding: 1);
        using var x0 = torch.randn(5, 8, 8, 8);
        using var z0 = torch.randn(5, 8, 7, 7);
        // The conv input gradient of sum(2·conv(x)) computed in float64, where libtorch uses its own kernels, not oneDNN.
        double reference;
        using (var w64 = conv.parameters().First().detach().to(ScalarType.Float64))
        using (var twos = torch.full([5, 4, 8, 8], 2.0, ScalarType.Float64))
        using (var grad = nn.functional.conv_transpose2d(twos, w64, padding: [1, 1]))
            reference = grad.abs().sum().item<double>();
        double[]? first = null;
        int nonFinite = 0, mismatched = 0, wrong = 0;
        double maxRelative = 0;
        for (int i = 0; i < passes; i++)
        {
            using var scope = scoped ? torch.NewDisposeScope() : null;
            var x = (x0 * 0.5 + 0.1).requires_grad_(true);
            var y = conv.forward(x * 1.0);
            (y * 2.0).sum().backward();
            var z = (z0 * 1.5 - 0.25).requires_grad_(true);
            var t = convT.forward(z);
            (t.pow(2) / 3.0).mean().backward();
            var values = new[] { x, y, x.grad!, z, t, z.grad!, conv.parameters().First().grad!, convT.weight!.grad! };
            if (values.Any(v => !torch.isfinite(v).all().item<bool>()))
            {
                nonFinite++;
                if (nonFinite <= 5)
                    Console.WriteLine($"pass {i}: non-finite elements per value (x, y, x.grad, z, t, z.grad, conv.w.grad, convT.w.grad): " +
                                      string.Join(" ", values.Select(v => (~torch.isfinite(v)).sum().item<long>())));
            }
            var sums = values.Select(v => v.abs().sum().item<float>() + 0.0).ToArray();
            if (Math.Abs(sums[2] - reference) > 1e-4 * reference)
                wrong++;
            first ??= sums;
            if (!sums.SequenceEqual(first))
            {
                mismatched++;
                if (mismatched <= 3)
                    Console.WriteLine($"pass {i} checksums vs pass 1: "
                        + string.Join(" ", sums.Zip(first).Select(p => $"{p.First:G6}/{p.Second:G6}")));
                maxRelative =
                    Math.Max(maxRelative, sums.Zip(first).Max(p => Math.Abs(p.First - p.Second) / Math.Max(Math.Abs(p.Second), 1e-30)));
            }
            conv.zero_grad();
            convT.zero_grad();
        }
        if (mismatched > 0)
            Console.WriteLine($"largest relative difference of a checksum from pass 1's: {maxRelative:G3}");
        Console.WriteLine($"conv2d input gradient: {wrong} of {passes} passes off the float64 reference by more than 1e-4");
        return new Counts(nonFinite + wrong, mismatched);
    }

    private static Counts UNetSteps(int steps)
    {
        if (steps == 0)
            return new Counts(0, 0);
        var a = TrainUNet(steps);
        var b = TrainUNet(steps);
        int mismatched = a.Losses.Zip(b.Losses).Count(p => p.First != p.Second);
        return new Counts(a.NonFinite, mismatched);
    }

    private static (int NonFinite, List<float> Losses) TrainUNet(int steps)
    {
        torch.manual_seed(1);
        using var net = new UNet(new UNetConfig
        {
            BaseChannels = UNetBase, Multipliers = [1, 2], AttentionLevels = [1], ResBlocksPerLevel = 1, NumClasses = 10
        });
        using var optimizer = torch.optim.AdamW(net.parameters(), 1e-3);
        var generator = new torch.Generator(7);
        int nonFinite = 0;
        var losses = new List<float>(steps);
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.randn([8, 1, 28, 28], generator: generator);
            var t = torch.randint(0, 1000, [8], generator: generator).to(ScalarType.Float32);
            var labels = torch.randint(0, 11, [8], dtype: ScalarType.Int64, generator: generator);
            optimizer.zero_grad();
            var loss = (net.Predict(x * 0.9, t, labels) - x).pow(2).mean();
            loss.backward();
            bool finite = torch.isfinite(loss).item<bool>() &&
                          net.parameters().All(p => p.grad is null || torch.isfinite(p.grad).all().item<bool>());
            if (!finite && ++nonFinite == 1)
                Console.WriteLine($"u-net step {i}: loss {loss.item<float>()}, non-finite gradients in " + string.Join(", ",
                    net.named_parameters().Where(p => p.parameter.grad is { } g && !torch.isfinite(g).all().item<bool>())
                        .Select(p => p.name).Take(8)));
            losses.Add(loss.item<float>());
            optimizer.step();
        }
        return (nonFinite, losses);
    }
}
