using Loom.Core;
using Loom.Data;
using Loom.Models;
using Loom.Safety;
using Loom.Safety.Images;
using Loom.Tests.Data;
using Loom.Watermarks.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Safety.Images;

/// <summary>The near-copy check for generated images: naive distances, the calibrated threshold, actions and the training
/// image it names, on synthetic images and on Fashion-MNIST.</summary>
public class ImageMemorizationDetectorTests
{
    /// <summary>Smooth random 1×12×12 images in [0, 1], so neighbours are not all equally far apart.</summary>
    private static Tensor Images(int n, long seed)
    {
        using var g = new torch.Generator((ulong)seed);
        var coarse = torch.rand([n, 1, 4, 4], generator: g);
        return torch.nn.functional.interpolate(coarse, [12, 12], mode: InterpolationMode.Bilinear, align_corners: true);
    }

    [Fact]
    public void DistancesAreTheNaiveRmsToTheNearestTrainingImage()
    {
        using var scope = torch.NewDisposeScope();
        var train = Images(50, 1);
        var query = Images(3, 2);
        using var detector = new ImageMemorizationDetector(train, new ImageMemorizationOptions { Threshold = 0.01 });
        var (neighbours, distances) = detector.Nearest(query);
        for (int i = 0; i < 3; i++)
        {
            var rms = Enumerable.Range(0, 50).Select(j => Math.Sqrt((query[i] - train[j]).square().mean().item<float>())).ToArray();
            int best = Array.IndexOf(rms, rms.Min());
            Assert.Equal(best, neighbours[i]);
            Assert.Equal(rms[best], distances[i], 5);
        }
    }

    [Fact]
    public void ANoisyCopyIsFlaggedNamingItsTrainingImageAndNewImagesAreNot()
    {
        using var scope = torch.NewDisposeScope();
        var train = Images(200, 3);
        using var g = new torch.Generator(4);
        var copy = (train[17] + 0.003 * torch.randn([1, 12, 12], generator: g)).clamp(0, 1).unsqueeze(0);
        var samples = torch.cat([Images(5, 5), copy], 0);
        using var detector = new ImageMemorizationDetector(train, new ImageMemorizationOptions { Source = "toy" });
        Assert.InRange(detector.Threshold, 0.005, 0.2);
        var flag = Assert.Single(detector.Detect(samples));
        Assert.Equal(5, flag.Image);
        Assert.Equal(17, flag.TrainingIndex);
        Assert.InRange(flag.Score, 0.5, 1.0);
        Assert.Equal(ContentCategories.Memorization, flag.Category);
        Assert.StartsWith("near-copy of toy image 17 (RMS distance", flag.Detail);
    }

    [Fact]
    public void TheCalibratedThresholdIsAShareOfTheTrainingSetsOwnNeighbourDistances()
    {
        using var scope = torch.NewDisposeScope();
        var train = Images(40, 6);
        var options = new ImageMemorizationOptions { CalibrationQuantile = 0, CalibrationFactor = 1, CalibrationImages = 40 };
        using var detector = new ImageMemorizationDetector(train, options);
        // Quantile 0, factor 1: the smallest distance between two different training images, which no pair can beat by much.
        var flat = train.flatten(1).to(ScalarType.Float64);
        var d = torch.cdist(flat, flat) / Math.Sqrt(144);
        d += torch.eye(40, dtype: ScalarType.Float64) * 1e9;
        Assert.True(detector.Threshold >= d.min().item<double>() - 1e-9);
        Assert.True(detector.Threshold <= d.max().item<double>());
    }

    [Fact]
    public void BlockWithholdsOnlyTheNearCopiesAsBlankImagesAndFlagKeepsThem()
    {
        using var scope = torch.NewDisposeScope();
        var train = Images(30, 7);
        var samples = torch.cat([Images(2, 8), train[3].unsqueeze(0)], 0);
        var block = new ImageMemorizationOptions { Threshold = 0.01, Action = ModerationAction.Block };
        using var blocking = new ImageMemorizationDetector(train, block);
        var review = ImageMemorizationReview.Of(new TensorSamples(samples), blocking);
        Assert.Equal([2], review.Withheld);
        var shown = ((TensorSamples)review.Samples).Values;
        Assert.Equal(0, shown[2].abs().sum().item<float>());
        Assert.True(shown[..2].allclose(samples[..2], rtol: 0, atol: 0));
        Assert.Equal(3, shown.shape[0]);

        using var flagging = new ImageMemorizationDetector(train, block with { Action = ModerationAction.Flag });
        var flagged = ImageMemorizationReview.Of(new TensorSamples(samples), flagging);
        Assert.True(flagged.Flagged);
        Assert.Empty(flagged.Withheld);
        Assert.Same(samples, ((TensorSamples)flagged.Samples).Values);
    }

    [Fact]
    public void BadInputNamesTheOption()
    {
        using var scope = torch.NewDisposeScope();
        var train = Images(10, 9);
        var tooBig = Assert.Throws<LoomUsageException>(() => new ImageMemorizationDetector(train, new() { Threshold = 2 }));
        Assert.Equal(nameof(ImageMemorizationOptions.Threshold), tooBig.Option);
        using var detector = new ImageMemorizationDetector(train, new() { Threshold = 0.1 });
        var shape = Assert.Throws<LoomUsageException>(() => detector.Detect(torch.zeros(2, 1, 8, 8)));
        Assert.Contains("[1, 12, 12]", shape.Message);
        Assert.Throws<LoomDataException>(() => new ImageMemorizationDetector(torch.zeros(1, 1, 12, 12)));
    }

    [FashionMnistFact]
    public void OnFashionMnistWatermarkedTrainingImagesAreCaughtAndTestImagesAreNot()
    {
        using var scope = torch.NewDisposeScope();
        using var detector = ImageMemorizationDetector.Load("fashion-mnist");
        using var train = FashionMnist.Load(FashionMnistSplit.Train);
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        // What a model that memorized would hand out: training images with the invisible watermark on, as loom sample does.
        var marked = new ImageWatermarker(new ImageWatermarkOptions()).Embed(train.Images[..8]);
        var flags = detector.Detect(marked);
        Assert.Equal(8, flags.Count);
        foreach (var flag in flags)
            Assert.True(train.Images[flag.TrainingIndex].allclose(train.Images[flag.Image], rtol: 0, atol: 0), flag.Detail);
        var unseen = detector.Detect(test.Images[..500]);
        Assert.True(unseen.Count <= 5, $"{unseen.Count} of 500 test images flagged at threshold {detector.Threshold:F4}");
    }
}
