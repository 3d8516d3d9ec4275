using System.Globalization;
using Loom.Models.Transformer;

namespace Loom.Bench;

/// <summary>
/// <c>lm-generate --paired N</c>: the batch-1 share of the weight-read bound on a machine whose memory speed moves
/// between minutes (dev-2c's probe read 36–79 GB/s within an hour). Each round measures both ceilings right before
/// one greedy generation — the read bandwidth (512 MB sum, best of 3) and the fused step's kernel alone over the same
/// weights (<see cref="WeightStreamProbe"/>, best of 20 passes) — so each share sets a run against the machine as it
/// was in that minute; the row gives the median and range over the rounds. Each round also times the forward pass alone
/// over as many one-token steps, for the share of a token the engine (selection, bookkeeping) takes beyond it.
/// </summary>
internal static class PairedDecodeRounds
{
    public static void Run(DecoderTransformer model, Func<double> generateTokensPerSecond, int rounds, double weightBytes, int tokens)
    {
        var probe = new WeightStreamProbe(model);
        var ofProbe = new List<double>();
        var ofKernel = new List<double>();
        var rates = new List<double>();
        var engineShares = new List<double>();
        for (int round = 1; round <= rounds; round++)
        {
            double bandwidth = MachineLimits.ReadBandwidthGBs(repeats: 3);
            double kernel = probe.TeamGBs(20);
            double forward = DecodeStepBench.StepSeconds(model, tokens);
            double rate = generateTokensPerSecond();
            rates.Add(rate);
            engineShares.Add(1 - forward * rate);
            ofProbe.Add(rate * weightBytes / (bandwidth * 1e9));
            ofKernel.Add(rate * weightBytes / (kernel * 1e9));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"paired round {round}: probe {bandwidth:F1} GB/s, kernel alone {kernel:F1} GB/s, generation {rate:F0} tokens/s "
                + $"= {ofProbe[^1] * 100:F0}% of the probe's bound, {ofKernel[^1] * 100:F0}% of the kernel's; forward pass alone "
                + $"{forward * 1e3:F3} ms/token (the engine's share of a token: {engineShares[^1] * 100:F0}%)"));
        }
        BenchTable.Add(new BenchRow($"greedy decode batch 1, each of {rounds} runs right after measuring the machine",
            BenchTable.Format($"median {Median(rates):F0} tokens/s ({rates.Min():F0}–{rates.Max():F0})"), "—", null,
            $"median {Percent(Median(ofProbe))} ({Percent(ofProbe.Min())}–{Percent(ofProbe.Max())}) of the weight-read bound; "
            + $"median {Percent(Median(ofKernel))} of the kernel-alone read of the same weights; the engine (beyond the forward "
            + $"pass) takes a median {Percent(Median(engineShares))} of a token"));
    }

    private static string Percent(double share) => BenchTable.Format($"{share * 100:F0}%");

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
