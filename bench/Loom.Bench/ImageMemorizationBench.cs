using System.Diagnostics;
using Loom.Data;
using Loom.Safety.Images;
using Loom.Watermarks.Images;
using static TorchSharp.torch;

namespace Loom.Bench;

/// <summary>
/// <c>image-memorization [--n 10000] [--copies 1000]</c>: the near-copy check of generated images against Fashion-MNIST's
/// 60,000 training images with the calibrated threshold. Prints the threshold, the share of the first <c>--copies</c>
/// training images caught after the invisible watermark and 8-bit rounding (what a model that memorized would hand
/// out), the share of the first <c>--n</c> test images flagged (real images the model never saw; some are duplicates of
/// training images) and the time per checked image.
/// </summary>
public static class ImageMemorizationBench
{
    public static int Run(string[] args)
    {
        int n = BenchSupport.Option(args, "--n", 10_000);
        int copies = BenchSupport.Option(args, "--copies", 1000);
        var watch = Stopwatch.StartNew();
        using var detector = ImageMemorizationDetector.Load(FashionMnist.Name);
        Console.WriteLine($"loaded and calibrated on {detector.TrainingCount} images in {watch.Elapsed.TotalSeconds:F1} s: "
            + $"RMS threshold {detector.Threshold:F4}");
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var scope = NewDisposeScope();

        var marked = ImageDistortions.Quantise(new ImageWatermarker(new ImageWatermarkOptions()).Embed(train.Images[..copies]));
        watch.Restart();
        var caught = detector.Detect(marked);
        double msPerImage = watch.Elapsed.TotalMilliseconds / copies;
        int named = caught.Count(f => train.Images[f.TrainingIndex].allclose(train.Images[f.Image], rtol: 0, atol: 0));
        var (_, copyDistances) = detector.Nearest(marked);
        Console.WriteLine($"watermarked training images: {caught.Count}/{copies} flagged ({named} naming the image itself or an "
            + $"identical one), RMS distance median {Median(copyDistances):F4} max {copyDistances.Max():F4}; "
            + $"{msPerImage:F2} ms per image");

        var unseen = test.Images[..n];
        var flagged = detector.Detect(unseen);
        var (_, unseenDistances) = detector.Nearest(unseen);
        int exact = flagged.Count(f => f.Distance == 0);
        Console.WriteLine($"test images: {flagged.Count}/{n} flagged ({100.0 * flagged.Count / n:F2}%; {exact} are exact duplicates "
            + $"of a training image), RMS distance to nearest training image median {Median(unseenDistances):F4} "
            + $"1st percentile {unseenDistances.Order().ElementAt(n / 100):F4}");
        return 0;
    }

    private static double Median(double[] values) => values.Order().ElementAt(values.Length / 2);
}
