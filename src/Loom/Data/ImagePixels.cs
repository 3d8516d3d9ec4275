using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// Grey images to score, as the image families that score files read them: a folder of PNGs or a Fashion-MNIST split
/// (<c>fashion-mnist</c> = its test split, <c>fashion-mnist:train</c>, <c>fashion-mnist:test</c>); and the two binarizations
/// of binarized-image likelihoods (a fixed one for test sets, a fresh one per training step).
/// </summary>
public static class ImagePixels
{
    /// <summary>8-bit pixels [n, 1, h, w] as float 0..255 from a PNG folder or a Fashion-MNIST split.</summary>
    public static Tensor Load8Bit(string spec, string model)
    {
        if (Directory.Exists(spec))
        {
            using var data = PngFolder.Load(spec);
            return (data.Examples * 255).round();
        }
        var parts = spec.Split(':', 2);
        if (parts[0].Trim().ToLowerInvariant() is "fashion-mnist" or "fashionmnist" or "fmnist")
        {
            using var split = FashionMnist.Load(parts.Length > 1 ? parts[1] : "test");
            return (split.Images * 255).round();
        }
        throw new LoomDataException($"{spec}: {model} scores a folder of PNGs or fashion-mnist[:train|test]");
    }

    /// <summary>
    /// Images in [0, 1] binarized once, each pixel 1 with its grey level as probability, from a generator seeded with
    /// <paramref name="seed"/>: the usual fixed test set of binarized-image likelihoods. The same images and seed give the
    /// same pixels (the VAE's held-out NLL and PixelCNN's are on the same binary images). 0/1 images stay as they are.
    /// </summary>
    public static Tensor BinarizedOnce(Tensor images, long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        return torch.bernoulli(images, generator: generator);
    }

    /// <summary>Dynamic binarization: a fresh draw for each training step, from a generator seeded with the run's seed and the
    /// step.</summary>
    public static Tensor BinarizedForStep(Tensor images, long seed, long step)
    {
        using var generator = Seeding.Generator(seed, $"binarize:{step}");
        return torch.bernoulli(images, generator: generator);
    }
}
