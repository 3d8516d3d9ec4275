using Loom.Models.Adversarial.CycleGan;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adversarial.CycleGan;

/// <summary>Tiny synthetic domains and networks shared by the CycleGAN tests.</summary>
internal static class CycleGanTestData
{
    /// <summary>A small config for <paramref name="size"/>×<paramref name="size"/> greyscale images.</summary>
    public static CycleGanConfig Tiny(int size = 8, int width = 8) => new()
    {
        Height = size, Width = size, BaseChannels = width, Downsamples = 1, ResBlocks = 1,
        DiscriminatorChannels = width, DiscriminatorLayers = 2, DomainA = "left", DomainB = "right", DataName = "folders",
    };

    /// <summary>
    /// [n, 1, size, size] images in [0, 1]: one half (left for domain A, right for B) bright with a random level in
    /// [0.6, 1], the other dark around 0.1, plus a little noise. Drawn from a generator seeded by <paramref name="seed"/>.
    /// </summary>
    public static Tensor Halves(bool brightLeft, int n, int size, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var g = new torch.Generator((ulong)seed);
        var level = 0.6f + 0.4f * torch.rand([n, 1, 1, 1], generator: g);
        var columns = torch.arange(size).reshape(1, 1, 1, size);
        var bright = brightLeft ? columns < size / 2 : columns >= size / 2;
        var image = torch.where(bright, level.expand(n, 1, size, size), torch.full([n, 1, size, size], 0.1f));
        var noisy = image + 0.05f * torch.randn([n, 1, size, size], generator: g);
        return noisy.clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Training data in model space [−1, 1]: <paramref name="n"/> bright-left images (domain A, from <paramref name="seed"/>)
    /// and <paramref name="n"/> bright-right ones (domain B, from <paramref name="seed"/> + 1).
    /// </summary>
    public static (Tensor A, Tensor B) ModelSpaceDomains(int n, int size = 8, long seed = 1) =>
        (Halves(brightLeft: true, n, size, seed) * 2 - 1, Halves(brightLeft: false, n, size, seed + 1) * 2 - 1);

    /// <summary>Mean brightness of the right half minus the left half, per image ([n]).</summary>
    public static Tensor RightMinusLeft(Tensor images)
    {
        long w = images.shape[3];
        using var scope = torch.NewDisposeScope();
        var left = images.narrow(3, 0, w / 2).mean([1, 2, 3]);
        var right = images.narrow(3, w / 2, w - w / 2).mean([1, 2, 3]);
        return (right - left).MoveToOuterDisposeScope();
    }

    /// <summary>Runs <paramref name="body"/> with one libtorch thread (the CPU convolution backward is NaN-free then; see
    /// docs/cyclegan.md).</summary>
    public static void SingleThreaded(Action body)
    {
        int previous = torch.get_num_threads();
        torch.set_num_threads(1);
        try { body(); }
        finally { torch.set_num_threads(previous); }
    }
}
