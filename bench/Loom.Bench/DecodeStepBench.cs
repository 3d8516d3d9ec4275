using System.Diagnostics;
using System.Globalization;
using Loom.Core;
using Loom.Models.Quantization;
using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>decode-step [--tokens 255] [--repeats 5] [--bits 8|4 [--group 64]]</c>: where a batch-1 decode step's time goes, for the
/// shakespeare-char shape
/// (6×384, untrained weights): the model's forward pass alone, one token at a time with the KV cache, fused CPU step vs
/// libtorch modules (best of the repeats), against the time to read every float32 weight once at the measured bandwidth;
/// then the mat-vec kernel alone. The rest of <c>lm-generate</c>'s per-token time is the engine (selection, bookkeeping).
/// With <c>--bits</c> the projections are quantized in memory first (<c>LayerQuantization</c>); the bound then counts the
/// bytes as stored (int8 or packed 4-bit values, scales, zero points; the embeddings stay float32).
/// </summary>
public static class DecodeStepBench
{
    public static int Run(string[] args)
    {
        int tokens = BenchSupport.Option(args, "--tokens", 255), repeats = BenchSupport.Option(args, "--repeats", 5);
        TorchRuntime.EnsureLoaded();
        using var model = new DecoderTransformer(TransformerConfig.Gpt2(65, tokens + 1, 6, 6, 384), seed: 0);
        model.eval();
        int bits = BenchSupport.Option(args, "--bits", 32);
        if (bits != 32)
        {
            int? group = bits == 4 ? BenchSupport.Option(args, "--group", QuantizationOptions.DefaultGroupSize) : null;
            int layers = LayerQuantization.Quantize(model, new QuantizationOptions { Bits = bits, GroupSize = group });
            Console.WriteLine($"quantized {layers} projections to {bits} bits" + (group is null ? "" : $", groups of {group}"));
        }
        double weightBytes = model.parameters().Sum(p => p.numel() * p.element_size());
        double bandwidth = MachineLimits.ReadBandwidthGBs() * 1e9;
        foreach (bool fused in new[] { true, false, true, false })
        {
            model.FusedCpuDecode = fused;
            double best = double.MaxValue;
            for (int r = 0; r < repeats; r++)
                best = Math.Min(best, StepSeconds(model, tokens));
            double bound = weightBytes / bandwidth;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(fused ? "fused step   " : "libtorch step")}  {best * 1e3:F3} ms/token = {1 / best:F0} tokens/s; weight read at "
                + $"{bandwidth / 1e9:F1} GB/s takes {bound * 1e3:F3} ms ({bound / best:P0} of the step)"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"weights as stored: {weightBytes / 1e6:F1} MB"));
        if (bits == 32) KernelOnly(model, bandwidth, repeats);
        return 0;
    }

    /// <summary>The projections' matrix-vector kernel alone over every layer's four weights, best of the repeats, on one thread
    /// and on a worker team split as the fused step splits it: what reading the weights costs without attention, norms or
    /// the reduction of partial sums.</summary>
    private static void KernelOnly(DecoderTransformer model, double bandwidth, int repeats)
    {
        var probe = new WeightStreamProbe(model);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kernel only  {probe.OneThreadGBs(repeats * 20):F1} GB/s over {probe.Bytes / 1e6:F1} MB (one thread; the machine reads "
            + $"{bandwidth / 1e9:F1} GB/s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kernel, team {probe.TeamGBs(repeats * 20):F1} GB/s over {probe.Bytes / 1e6:F1} MB "
            + $"({WorkerTeam.DefaultSize} threads, blocks of rows)"));
    }

    /// <summary>Seconds per token of the forward pass alone: <paramref name="tokens"/> one-token steps with the KV cache.</summary>
    internal static double StepSeconds(DecoderTransformer model, int tokens)
    {
        using var noGrad = torch.no_grad();
        using var threads = SingleThreadScope.Enter();
        using var state = model.CreateState(1, tokens);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < tokens; i++)
            using (var scope = torch.NewDisposeScope())
                model.Forward(torch.tensor(new long[] { i % 65 }).view(1, 1), null, state);
        return clock.Elapsed.TotalSeconds / tokens;
    }
}
