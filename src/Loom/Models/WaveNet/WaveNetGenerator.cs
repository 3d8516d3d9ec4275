using Loom.Audio;
using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.WaveNet;

/// <summary>
/// Autoregressive generation of μ-law levels from a <see cref="WaveNetNetwork"/>, two ways that give the same samples
/// for the same seed. <see cref="Fast"/> is Fast WaveNet (Paine et al. 2016): each layer keeps a queue of its last d
/// inputs, so a step costs one pass of each layer over one time step, O(layers) per sample. <see cref="Naive"/>
/// recomputes the whole network over the last <see cref="WaveNetConfig.ReceptiveField"/> + 1 levels at every step,
/// O(layers · receptive field) per sample. Every draw is the first level whose cumulative softmax(logits / T)
/// (float64) exceeds a uniform number from one seeded generator. A network with a timeline places step t at t / length of
/// the clip, so the length sets the pace.
/// </summary>
public static class WaveNetGenerator
{
    /// <summary>Levels [count, length] (int64 0..255, CPU) by the queue-based fast generator.</summary>
    public static Tensor Fast(WaveNetNetwork network, int length, Tensor? labels, double temperature, long seed, int count)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (uniforms, y, device) = Start(network, length, labels, temperature, seed, count);
        int channels = network.Config.ResidualChannels;
        var layers = network.Layers;
        var queues = layers.Select(l => torch.zeros([l.Dilation, count, channels], device: device)).ToArray();
        var input = torch.zeros([count, channels], device: device);
        var levels = torch.zeros([count, length], ScalarType.Int64, device: device);
        var timeline = network.TimelineFeatures(WholeClip(network, count, length, device), y);
        for (int t = 0; t < length; t++)
        {
            using var step = torch.NewDisposeScope();
            var h = input.clone();
            var features = timeline?.select(1, t);
            Tensor? skips = null;
            for (int i = 0; i < queues.Length; i++)
            {
                var slot = queues[i].select(0, t % layers[i].Dilation);
                var delayed = slot.clone();
                slot.copy_(h);
                var (next, skip) = layers[i].Step(h, delayed, y, features);
                h = next;
                skips = skips is null ? skip : skips + skip;
            }
            var level = Draw(network.Output(skips!), temperature, uniforms[t]);
            levels.select(1, t).copy_(level);
            input.copy_(network.Embed(level));
        }
        return levels.cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Levels [count, length] (int64 0..255, CPU), recomputing the network over the receptive field each step.</summary>
    public static Tensor Naive(WaveNetNetwork network, int length, Tensor? labels, double temperature, long seed, int count)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (uniforms, y, device) = Start(network, length, labels, temperature, seed, count);
        int reach = network.Config.ReceptiveField;
        var levels = torch.zeros([count, length], ScalarType.Int64, device: device);
        var positions = WholeClip(network, count, length, device);
        for (int t = 0; t < length; t++)
        {
            using var step = torch.NewDisposeScope();
            int start = Math.Max(0, t - reach);
            var logits = network.Logits(levels.narrow(1, start, t + 1 - start), y, positions?.narrow(1, start, t + 1 - start))
                .select(1, t - start);
            levels.select(1, t).copy_(Draw(logits, temperature, uniforms[t]));
        }
        return levels.cpu().MoveToOuterDisposeScope();
    }

    private static Tensor? WholeClip(WaveNetNetwork network, int count, int length, Device device) =>
        network.Config.HasTimeline ? WaveNetTimeline.WholeClip(count, length, device) : null;

    /// <summary>Checks the request, puts the network in eval mode, draws the uniforms [length, count] (float64) on its device.</summary>
    private static (Tensor Uniforms, Tensor? Labels, Device Device) Start(WaveNetNetwork network, int length, Tensor? labels,
        double temperature, long seed, int count)
    {
        Check(network, length, labels, temperature, count);
        network.eval();
        var device = network.parameters().First().device;
        using var generator = Seeding.Generator(seed, "wavenet-sample");
        return (torch.rand([length, count], ScalarType.Float64, generator: generator).to(device), labels?.to(device), device);
    }

    /// <summary>The level [n] int64 whose cumulative softmax(logits / T) first exceeds u [n].</summary>
    private static Tensor Draw(Tensor logits, double temperature, Tensor u)
    {
        var cumulative = torch.softmax(logits.to(ScalarType.Float64) / temperature, 1).cumsum(1);
        return cumulative.lt(u.unsqueeze(1)).sum(1).clamp(0, MuLaw.Levels - 1).to(ScalarType.Int64);
    }

    private static void Check(WaveNetNetwork network, int length, Tensor? labels, double temperature, int count)
    {
        if (count < 1) throw LoomUsageException.ForOption("Count", $"must be at least 1, got {count}");
        if (length < 1) throw LoomUsageException.ForOption("Length", $"must be at least 1 sample, got {length}");
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw LoomUsageException.ForOption("Temperature", $"must be positive, got {temperature}");
        network.CheckLabels(labels);
    }
}
