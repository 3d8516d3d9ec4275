using Loom.Models;
using Loom.Safety;
using Loom.Safety.Images;
using Loom.Watermarks.Images;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Safety.Images;

/// <summary><see cref="SafeguardedSamples"/>: near-copies withheld first, then the watermark, and why it did not go on.</summary>
public sealed class SafeguardedSamplesTests
{
    private static readonly ImageWatermarkOptions Watermark = ImageWatermarkOptions.WithKey("safeguards-test");

    private static torch.Tensor Smooth(int n, int side, long seed) => SmoothImages.Create(n, 1, side, seed);

    [Fact]
    public void A_near_copy_is_withheld_and_the_rest_are_marked()
    {
        using var scope = torch.NewDisposeScope();
        var train = Smooth(20, 32, 1);
        var samples = torch.cat([Smooth(2, 32, 2), train.narrow(0, 5, 1)], 0);
        using var detector = new ImageMemorizationDetector(train, new ImageMemorizationOptions { Action = ModerationAction.Redact });

        var result = SafeguardedSamples.Apply(new TensorSamples(samples), detector, Watermark);

        Assert.Equal(SampleWatermarkOutcome.Marked, result.Watermark);
        Assert.Equal([2], result.Memorization!.Withheld);
        var shown = ((TensorSamples)result.Samples).Values;
        var detections = new ImageWatermarkDetector(Watermark).DetectAll(shown.narrow(0, 0, 2));
        Assert.All(detections, d => Assert.True(d.Detected));
        Assert.True(shown[2].mean().item<float>() < 0.05f, "the withheld image is blank (but for the mark)");
    }

    [Fact]
    public void Each_reason_the_watermark_stays_off_is_reported()
    {
        using var scope = torch.NewDisposeScope();
        var points = new TensorSamples(torch.randn(5, 2));
        Assert.Equal(SampleWatermarkOutcome.NotImages, SafeguardedSamples.Apply(points, null, Watermark).Watermark);
        Assert.Same(points, SafeguardedSamples.Apply(points, null, Watermark).Samples);

        var small = new TensorSamples(torch.rand(2, 1, 8, 8));
        var tooSmall = SafeguardedSamples.Apply(small, null, Watermark);
        Assert.Equal(SampleWatermarkOutcome.TooSmall, tooSmall.Watermark);
        Assert.Same(small, tooSmall.Samples);
        Assert.Null(tooSmall.Memorization);

        var images = new TensorSamples(Smooth(2, 32, 3));
        var off = SafeguardedSamples.Apply(images, null, new ImageWatermarkOptions { Key = Watermark.Key, Enabled = false });
        Assert.Equal(SampleWatermarkOutcome.Disabled, off.Watermark);
        Assert.Same(images, off.Samples);
        var texts = new TextSamples(["a"]);
        Assert.Equal(SampleWatermarkOutcome.NotImages, SafeguardedSamples.Apply(texts, null, Watermark).Watermark);
    }
}
