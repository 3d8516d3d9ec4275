using Loom.Core;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// Finds operations whose results depend on anything but their inputs. Each case runs the same forward and backward
/// pass <c>--repeats</c> times on unchanged inputs and weights and compares every output and gradient bit for bit with
/// the first pass; with <c>--poison</c>, heap blocks of common sizes are filled with NaN and freed before each repeat,
/// so a kernel that reads memory it never wrote shows NaN instead of luck. Convolution cases also compare the output
/// (and the transposed input gradient) with a float64 reference, which libtorch computes without oneDNN.
/// Modes: the U-Net's operations and the whole 8- and 16-base-channel U-Net (default); <c>--sweep</c>: conv2d for
/// every input channel count 1–72 and conv_transpose2d for a grid of channel counts; <c>--train</c>: U-Net training
/// steps (<c>--unet-base</c>, <c>--steps</c>), each pass repeated three times before the update.
/// This found the third oneDNN case (conv2d outputs for 17–31, 33–47, … input channels; docs/architecture.md).
/// Usage: determinism-probe [--sweep|--train] [--poison] [--repeats 30] [--threads 2] [--unet-base 8] [--steps 400].
/// Exit code 1 when any case was not clean.
/// </summary>
public static class DeterminismProbeBench
{
    private static bool poison;
    private static int unclean;

    public static int Run(string[] args)
    {
        int repeats = BenchSupport.Option(args, "--repeats", 30);
        TorchNumerics.Apply();
        TorchNumerics.SilenceNnpack();  // the float64 references call libtorch's convolution before Loom's first one
        torch.set_num_threads(BenchSupport.Option(args, "--threads", 2));
        torch.manual_seed(0);
        poison = args.Contains("--poison");
        if (args.Contains("--train"))
            return TrainRepeated(BenchSupport.Option(args, "--steps", 400), BenchSupport.Option(args, "--unet-base", 8));
        if (args.Contains("--sweep"))
        {
            for (int ic = 1; ic <= 72; ic++)
                Probe($"conv2d {ic}->16", repeats, () => ConvCase(ic, 16, 28, inputGradient: false));
            foreach (int oc in new[] { 1, 3, 8, 17, 24, 40 })
                Probe($"conv2d 24->{oc}", repeats, () => ConvCase(24, oc, 28, inputGradient: true));
            foreach (int ic in new[] { 4, 8, 16, 24, 40 })
                foreach (int oc in new[] { 1, 3, 8, 16, 24, 32 })
                    Probe($"conv_transpose2d {ic}->{oc}", repeats, () => TransposedCase(ic, oc, 14));
        }
        else
        {
            foreach (var (groups, channels, size) in new[] { (8, 8, 28), (8, 16, 14), (8, 24, 28), (8, 32, 28) })
                Probe($"group_norm {groups} groups, [8, {channels}, {size}, {size}]", repeats, () => NormCase(groups, channels, size));
            foreach (var (ic, oc, size) in new[] { (1, 8, 28), (8, 8, 28), (24, 8, 28), (8, 1, 28), (16, 16, 14), (48, 16, 28) })
                Probe($"conv2d {ic}->{oc}", repeats, () => ConvCase(ic, oc, size, inputGradient: true));
            Probe("conv2d 8->16 stride 2", repeats, () => ConvCase(8, 16, 28, inputGradient: true, stride: 2));
            foreach (int channels in new[] { 8, 16 })
                Probe($"u-net, {channels} base channels", repeats, () => UNetCase(channels));
        }
        Console.WriteLine(unclean == 0 ? "clean" : $"NOT CLEAN: {unclean} cases");
        return unclean == 0 ? 0 : 1;
    }

    /// <summary>Runs <paramref name="make"/>'s pass <paramref name="repeats"/> times and reports what differs.</summary>
    private static void Probe(string name, int repeats, Func<Func<List<(string Name, Tensor Value)>>> make)
    {
        var run = make();
        List<(string Name, Tensor Value)>? first = null;
        var differing = new Dictionary<string, int>();
        int nonFinite = 0;
        for (int i = 0; i < repeats; i++)
        {
            if (poison && first is not null)
                PoisonHeap(i);
            var values = run();
            if (values.Any(v => !torch.isfinite(v.Value).all().item<bool>()))
                nonFinite++;
            if (first is null)
            {
                first = values;
                continue;
            }
            foreach (var ((valueName, value), (_, reference)) in values.Zip(first))
            {
                if (!value.equal(reference).all().item<bool>())
                    differing[valueName] = differing.GetValueOrDefault(valueName) + 1;
                value.Dispose();
            }
        }
        if (nonFinite + differing.Count > 0)
            unclean++;
        Console.WriteLine($"{name}: {nonFinite} of {repeats} passes non-finite; differing from pass 1: " + (differing.Count == 0
            ? "none"
            : string.Join(", ", differing.OrderByDescending(p => p.Value).Take(8).Select(p => $"{p.Key} ×{p.Value}"))));
    }

    /// <summary>Fills freed heap blocks of the sizes these cases allocate (and a few others) with NaN.</summary>
    private static void PoisonHeap(int seed)
    {
        long[] sizes = [1 << 10, 1 << 12, 1 << 14, 6272, 12544, 25088, 50176, 100352, 200704, 1 << 16, 1 << 18, 1 << 20];
        var held = new List<Tensor>();
        foreach (long n in sizes)
            for (int k = 0; k < 3; k++)
                held.Add(torch.full([n + k * 16 + seed % 7], float.NaN));
        foreach (var t in held)
            t.Dispose();
    }

    private static Func<List<(string, Tensor)>> NormCase(int groups, int channels, int size)
    {
        var norm = nn.GroupNorm(groups, channels);
        using (torch.no_grad())
        {
            norm.weight!.normal_();
            norm.bias!.normal_();
        }
        var x0 = torch.randn(8, channels, size, size);
        var g0 = torch.randn(8, channels, size, size);
        return () =>
        {
            norm.zero_grad();
            var x = x0.detach().clone().requires_grad_(true);
            var y = norm.forward(x);
            y.backward([g0]);
            return [("y", y.detach()), ("x.grad", x.grad!.clone()), ("weight.grad", norm.weight!.grad!.clone()),
                ("bias.grad", norm.bias!.grad!.clone())];
        };
    }

    private static Func<List<(string, Tensor)>> ConvCase(int ic, int oc, int size, bool inputGradient, int stride = 1)
    {
        var conv = new Conv2dLayer(ic, oc, 3, stride: stride, padding: 1);
        var x0 = torch.randn(8, ic, size, size);
        var g0 = torch.randn(8, oc, size / stride, size / stride);
        using (var y64 = nn.functional.conv2d(x0.to(ScalarType.Float64), conv.Weight.detach().to(ScalarType.Float64),
                   conv.Bias!.detach().to(ScalarType.Float64), [stride, stride], [1, 1]))
        using (torch.no_grad())
        using (var y32 = conv.forward(x0))
            ReportReference($"conv2d {ic}->{oc}", (y32.to(ScalarType.Float64) - y64).abs().max().item<double>(), double.NaN);
        return () =>
        {
            conv.zero_grad();
            var x = x0.detach().clone().requires_grad_(inputGradient);
            var y = conv.forward(x);
            y.backward([g0]);
            return [("y", y.detach()), ("x.grad", inputGradient ? x.grad!.clone() : torch.zeros(1)),
                .. conv.named_parameters().Select(p => ($"{p.name}.grad", p.parameter.grad!.clone()))];
        };
    }

    private static Func<List<(string, Tensor)>> TransposedCase(int ic, int oc, int size)
    {
        var conv = new ConvTranspose2dLayer(ic, oc, 4, stride: 2, padding: 1);
        var x0 = torch.randn(8, ic, size, size);
        var g0 = torch.randn(8, oc, 2 * size, 2 * size);
        using (var scope = torch.NewDisposeScope())
        {
            var x64 = x0.to(ScalarType.Float64).requires_grad_(true);
            var y64 = nn.functional.conv_transpose2d(x64, conv.Weight.detach().to(ScalarType.Float64),
                conv.Bias!.detach().to(ScalarType.Float64), [2, 2], [1, 1]);
            y64.backward([g0.to(ScalarType.Float64)]);
            var x = x0.detach().clone().requires_grad_(true);
            var y = conv.forward(x);
            y.backward([g0]);
            ReportReference($"conv_transpose2d {ic}->{oc}", (y.detach().to(ScalarType.Float64) - y64.detach()).abs().max().item<double>(),
                (x.grad!.to(ScalarType.Float64) - x64.grad!).abs().max().item<double>());
            conv.zero_grad();
        }
        return () =>
        {
            conv.zero_grad();
            var x = x0.detach().clone().requires_grad_(true);
            var y = conv.forward(x);
            y.backward([g0]);
            return [("y", y.detach()), ("x.grad", x.grad!.clone()), ("weight.grad", conv.Weight.grad!.clone()),
                ("bias.grad", conv.Bias!.grad!.clone())];
        };
    }

    /// <summary>Counts a case whose float32 output (or input gradient) is off the float64 reference.</summary>
    private static void ReportReference(string name, double outputError, double inputGradientError)
    {
        if (outputError < 1e-4 && (double.IsNaN(inputGradientError) || inputGradientError < 1e-3))
            return;
        unclean++;
        Console.WriteLine($"{name}: off the float64 reference by {outputError:G3} (output), {inputGradientError:G3} (input gradient)");
    }

    private static UNet TinyUNet(int baseChannels)
    {
        torch.manual_seed(1);
        return new UNet(new UNetConfig
        {
            BaseChannels = baseChannels, Multipliers = [1, 2], AttentionLevels = [1], ResBlocksPerLevel = 1, NumClasses = 10
        });
    }

    private static Func<List<(string, Tensor)>> UNetCase(int baseChannels)
    {
        var net = TinyUNet(baseChannels);
        var generator = new torch.Generator(7);
        var x = torch.randn([8, 1, 28, 28], generator: generator);
        var t = torch.randint(0, 1000, [8], generator: generator).to(ScalarType.Float32);
        var labels = torch.randint(0, 11, [8], dtype: ScalarType.Int64, generator: generator);
        return () =>
        {
            net.zero_grad();
            var loss = (net.Predict(x * 0.9, t, labels) - x).pow(2).mean();
            loss.backward();
            return [("loss", loss.detach()), .. net.named_parameters().Select(p => (p.name, p.parameter.grad!.clone()))];
        };
    }

    /// <summary>AdamW training of the U-Net; every step's forward and backward runs three times before the update.</summary>
    private static int TrainRepeated(int steps, int baseChannels)
    {
        using var net = TinyUNet(baseChannels);
        using var optimizer = torch.optim.AdamW(net.parameters(), 1e-3);
        var generator = new torch.Generator(7);
        var names = net.named_parameters().Select(p => p.name).ToArray();
        int reported = 0;
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.randn([8, 1, 28, 28], generator: generator);
            var t = torch.randint(0, 1000, [8], generator: generator).to(ScalarType.Float32);
            var labels = torch.randint(0, 11, [8], dtype: ScalarType.Int64, generator: generator);
            var grads = new List<Tensor[]>();
            var losses = new List<float>();
            for (int k = 0; k < 3; k++)
            {
                optimizer.zero_grad();
                var loss = (net.Predict(x * 0.9, t, labels) - x).pow(2).mean();
                loss.backward();
                losses.Add(loss.item<float>());
                grads.Add(net.parameters().Select(p => p.grad!.clone()).ToArray());
            }
            var differing = Enumerable.Range(0, names.Length)
                .Where(j => !grads[0][j].equal(grads[1][j]).all().item<bool>() || !grads[0][j].equal(grads[2][j]).all().item<bool>())
                .Select(j => names[j]).ToList();
            if ((differing.Count > 0 || losses.Distinct().Count() > 1) && reported++ < 10)
                Console.WriteLine($"step {i}: losses {string.Join(" / ", losses)}; {differing.Count} gradients differ: "
                    + string.Join(", ", differing.Take(8)));
            if (!float.IsFinite(losses[^1]))
            {
                Console.WriteLine($"step {i}: non-finite loss; stopped");
                break;
            }
            optimizer.step();
        }
        Console.WriteLine(reported == 0
            ? $"clean: {steps} steps, every repeat identical"
            : $"NOT CLEAN: {reported} steps with a repeat differing");
        return reported == 0 ? 0 : 1;
    }
}
