using System.Diagnostics;
using System.Globalization;
using Loom.Data;
using Loom.Watermarks.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>image-watermark [--n 10000] [--marked 1000] [--key loom] [--strength S] [--seed 1]</c>: the image watermark on
/// Fashion-MNIST test images. Marks the first <c>--marked</c> images and prints PSNR against the originals, then the mean
/// bit accuracy and detection rate after each distortion (<see cref="ImageDistortions"/>), and the false-positive rate on
/// the first <c>--n</c> clean images. Every image is rounded to 8 bits, as a saved PNG would be.
/// </summary>
public static class ImageWatermarkBench
{
    public static int Run(string[] args)
    {
        int n = BenchSupport.Option(args, "--n", 10_000);
        int markedCount = BenchSupport.Option(args, "--marked", 1000);
        int seed = BenchSupport.Option(args, "--seed", 1);
        var options = new ImageWatermarkOptions
        {
            Key = BenchSupport.StringOption(args, "--key") ?? ImageWatermarkOptions.DefaultKey,
            Strength = BenchSupport.StringOption(args, "--strength") is { } s
                ? double.Parse(s, CultureInfo.InvariantCulture) : new ImageWatermarkOptions().Strength,
        };
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var scope = NewDisposeScope();
        var clean = test.Images.narrow(0, 0, Math.Min(n, (int)test.Count));
        var originals = clean.narrow(0, 0, Math.Min(markedCount, (int)clean.shape[0]));
        var detector = new ImageWatermarkDetector(options);
        Console.WriteLine($"key '{options.Key}', {options.PayloadBits} bits, strength {options.Strength}, "
            + $"{detector.Alignments} alignments searched, threshold {detector.Threshold}/{options.PayloadBits} matching bits");

        var watch = Stopwatch.StartNew();
        var marked = ImageDistortions.Quantise(new ImageWatermarker(options).Embed(originals));
        double embedMs = watch.Elapsed.TotalMilliseconds / originals.shape[0];
        var psnr = Psnr(marked, originals);
        Console.WriteLine($"PSNR marked vs unmarked over {originals.shape[0]} images: mean {psnr.Average():F2} dB, "
            + $"min {psnr.Min():F2} dB (embedding {embedMs:F2} ms/image on {Environment.ProcessorCount} cores)");

        Console.WriteLine();
        Console.WriteLine("| distortion | mean bit accuracy | detected |");
        Console.WriteLine("|---|---|---|");
        var (w, h) = ImageDistortions.CropSize((int)clean.shape[3], (int)clean.shape[2], 0.9);
        var attacks = new (string Name, Func<Tensor, Tensor> Apply)[]
        {
            ("none (8-bit PNG)", x => x),
            ("JPEG quality 75", x => ImageDistortions.Jpeg(x, 75)),
            ("JPEG quality 50", x => ImageDistortions.Jpeg(x, 50)),
            ("0.5× resize, bilinear down and back up", x => ImageDistortions.Rescale(x, 0.5)),
            ($"centred crop to {w}×{h} ({(double)w * h / (clean.shape[2] * clean.shape[3]):P0} of the area), resized back",
                x => ImageDistortions.CentreCrop(x, 0.9)),
            ("Gaussian noise σ = 0.02", x => ImageDistortions.GaussianNoise(x, 0.02, seed)),
            ("Gaussian noise σ = 0.05", x => ImageDistortions.GaussianNoise(x, 0.05, seed)),
        };
        foreach (var (name, apply) in attacks)
        {
            var results = detector.DetectAll(apply(marked));
            Console.WriteLine($"| {name} | {results.Average(r => r.BitAccuracy):P1} | {results.Count(r => r.Detected)}/{results.Count} |");
        }

        Console.WriteLine();
        watch.Restart();
        var cleanResults = detector.DetectAll(ImageDistortions.Quantise(clean));
        double detectMs = watch.Elapsed.TotalMilliseconds / clean.shape[0];
        int falsePositives = cleanResults.Count(r => r.Detected);
        Console.WriteLine($"clean images: {falsePositives}/{cleanResults.Count} detected "
            + $"(FPR {(double)falsePositives / cleanResults.Count:G3}), mean bit accuracy {cleanResults.Average(r => r.BitAccuracy):P1}, "
            + $"most matching bits {cleanResults.Max(r => r.MatchingBits)}, "
            + $"detection {detectMs:F2} ms/image");
        var histogram = cleanResults.GroupBy(r => r.MatchingBits).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
        Console.WriteLine($"matching bits on clean images (bits:count): {string.Join(" ", histogram)}");
        return 0;
    }

    private static double[] Psnr(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var mse = (a - b).pow(2).flatten(1).mean([1]).to(ScalarType.Float64).data<double>().ToArray();
        return mse.Select(m => 10 * Math.Log10(1 / Math.Max(m, 1e-12))).ToArray();
    }
}
