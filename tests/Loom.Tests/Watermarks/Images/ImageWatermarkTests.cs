using Loom.Core;
using Loom.Data;
using Loom.Models;
using Loom.Tests.Data;
using Loom.Watermarks.Images;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Loom.Tests.Watermarks.Images;

/// <summary>Embedding and detecting the image watermark on a handful of Fashion-MNIST and synthetic colour images.</summary>
public class ImageWatermarkTests
{
    private static readonly ImageWatermarkOptions Options = new() { Key = "test key" };

    /// <summary>The first <paramref name="n"/> Fashion-MNIST test images [n,1,28,28].</summary>
    private static Tensor FashionImages(int n)
    {
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        return test.Images.narrow(0, 100, n).clone();
    }

    /// <summary>Smooth random colour images: a seeded 4×4 grid per channel, upsampled bilinear.</summary>
    private static Tensor SmoothImages(int n, int channels, int size, long seed) => Support.SmoothImages.Create(n, channels, size, seed);

    private static double Psnr(Tensor a, Tensor b) => 10 * Math.Log10(1 / (a - b).pow(2).mean().ToDouble());

    [FashionMnistFact]
    public void Marked_fashion_images_read_every_bit_and_clean_or_wrong_key_ones_are_not_detected()
    {
        using var scope = NewDisposeScope();
        var clean = ImageDistortions.Quantise(FashionImages(8));
        var marked = ImageDistortions.Quantise(new ImageWatermarker(Options).Embed(clean));
        var detector = new ImageWatermarkDetector(Options);
        Assert.All(detector.DetectAll(marked), r =>
        {
            Assert.Equal(r.PayloadBits, r.MatchingBits);
            Assert.True(r.Detected);
            Assert.Equal(1.0, r.BitAccuracy);
            Assert.True(r.PValue < 1e-6, $"p-value {r.PValue}");
        });
        Assert.All(detector.DetectAll(clean), r => Assert.False(r.Detected, $"clean image matched {r.MatchingBits} bits"));
        var otherKey = new ImageWatermarkDetector(new ImageWatermarkOptions { Key = "another key" });
        Assert.All(otherKey.DetectAll(marked), r => Assert.False(r.Detected, $"wrong key matched {r.MatchingBits} bits"));
        Assert.All(Enumerable.Range(0, 8), i =>
            Assert.True(Psnr(marked[i], clean[i]) > 30, $"image {i}: PSNR {Psnr(marked[i], clean[i]):F1} dB"));
    }

    [FashionMnistFact]
    public void The_mark_survives_a_jpeg_round_trip_at_quality_75()
    {
        using var scope = NewDisposeScope();
        var marked = new ImageWatermarker(Options).Embed(FashionImages(6));
        var results = new ImageWatermarkDetector(Options).DetectAll(ImageDistortions.Jpeg(marked, 75));
        Assert.All(results, r => Assert.True(r.Detected, $"{r.MatchingBits}/{r.PayloadBits} bits after JPEG 75"));
    }

    [Fact]
    public void Colour_images_change_luminance_alike_in_every_channel_and_keep_alpha()
    {
        using var scope = NewDisposeScope();
        var rgb = SmoothImages(3, 3, 32, seed: 5) * 0.8 + 0.1;   // away from 0 and 1, so nothing clips
        var alpha = full([3, 1, 32, 32], 0.5f);
        var rgba = cat([rgb, alpha], 1);
        var marked = new ImageWatermarker(Options).Embed(rgba);
        Assert.Equal(rgba.shape, marked.shape);
        Assert.Equal(ScalarType.Float32, marked.dtype);
        Assert.True(marked.narrow(1, 3, 1).equal(alpha).all().item<bool>(), "alpha changed");
        var change = marked.narrow(1, 0, 3) - rgb;
        Assert.True((change[.., 0] - change[.., 1]).abs().max().ToDouble() < 1e-6, "red and green changed differently");
        Assert.True((change[.., 0] - change[.., 2]).abs().max().ToDouble() < 1e-6, "red and blue changed differently");
        var detector = new ImageWatermarkDetector(Options);
        Assert.All(detector.DetectAll(ImageDistortions.Quantise(marked)), r => Assert.Equal(r.PayloadBits, r.MatchingBits));
        Assert.All(detector.DetectAll(rgba), r => Assert.False(r.Detected));
        var one = detector.Detect(ImageDistortions.Quantise(marked)[0]);
        Assert.True(one.Detected);
    }

    [Fact]
    public void Disabled_options_change_nothing_and_samples_that_are_not_images_pass_through()
    {
        using var scope = NewDisposeScope();
        var images = SmoothImages(2, 1, 16, seed: 2);
        Assert.True(new ImageWatermarker(new ImageWatermarkOptions { Enabled = false }).Embed(images).equal(images).all().item<bool>());
        var points = new TensorSamples(rand(10, 2));
        Assert.Same(points, SampleWatermark.Apply(points, Options));
        var tiny = new TensorSamples(rand(2, 1, 8, 8));
        Assert.Same(tiny, SampleWatermark.Apply(tiny, Options));
        var labels = tensor(new long[] { 1, 0 });
        var marked = (TensorSamples)SampleWatermark.Apply(new TensorSamples(images, labels) { ClassNames = ["a", "b"] }, Options);
        Assert.Same(labels, marked.Labels);
        Assert.Equal(["a", "b"], marked.ClassNames!);
        Assert.True(new ImageWatermarkDetector(Options).DetectAll(ImageDistortions.Quantise(marked.Values)).All(r => r.Detected));
    }

    [Fact]
    public void Bad_images_are_data_errors()
    {
        var watermarker = new ImageWatermarker(Options);
        Assert.Contains("at least 16×16", Assert.Throws<LoomDataException>(() => watermarker.Embed(zeros(1, 1, 12, 30))).Message);
        Assert.Contains("C = 1, 3 or 4", Assert.Throws<LoomDataException>(() => watermarker.Embed(zeros(1, 2, 16, 16))).Message);
        Assert.Contains("NaN", Assert.Throws<LoomDataException>(() => watermarker.Embed(full(1, 1, 16, 16, double.NaN))).Message);
        Assert.Contains("float", Assert.Throws<LoomDataException>(() => watermarker.Embed(zeros(1, 1, 16, 16, ScalarType.Int32))).Message);
        var detector = new ImageWatermarkDetector(Options);
        Assert.Contains("batch of 2", Assert.Throws<LoomDataException>(() => detector.Detect(zeros(2, 1, 16, 16))).Message);
    }

    [Theory]
    [InlineData(nameof(ImageWatermarkOptions.Key))]
    [InlineData(nameof(ImageWatermarkOptions.PayloadBits))]
    [InlineData(nameof(ImageWatermarkOptions.Strength))]
    [InlineData(nameof(ImageWatermarkOptions.Iterations))]
    [InlineData(nameof(ImageWatermarkOptions.FalsePositiveRate))]
    public void Each_bad_option_is_a_usage_error_naming_it(string option)
    {
        var bad = option switch
        {
            nameof(ImageWatermarkOptions.Key) => new ImageWatermarkOptions { Key = "" },
            nameof(ImageWatermarkOptions.PayloadBits) => new ImageWatermarkOptions { PayloadBits = 4 },
            nameof(ImageWatermarkOptions.Strength) => new ImageWatermarkOptions { Strength = double.NaN },
            nameof(ImageWatermarkOptions.Iterations) => new ImageWatermarkOptions { Iterations = 0 },
            _ => new ImageWatermarkOptions { FalsePositiveRate = 0 },
        };
        Assert.Equal(option, Assert.Throws<LoomUsageException>(bad.Validate).Option);
        Assert.Equal(option, Assert.Throws<LoomUsageException>(() => new ImageWatermarker(bad)).Option);
        Assert.Equal(option, Assert.Throws<LoomUsageException>(() => new ImageWatermarkDetector(bad)).Option);
        new ImageWatermarkOptions().Validate();
    }

    [Fact]
    public void The_search_raises_the_threshold_so_chance_stays_under_the_rate()
    {
        var searching = new ImageWatermarkDetector(Options);
        var plain = new ImageWatermarkDetector(new ImageWatermarkOptions { Key = Options.Key, SearchAlignments = false });
        Assert.Equal(1, plain.Alignments);
        Assert.True(searching.Alignments > 1);
        Assert.True(searching.Alignments * BinomialTail.AtLeast(searching.Threshold, 32) <= Options.FalsePositiveRate);
        Assert.True(BinomialTail.AtLeast(plain.Threshold, 32) <= Options.FalsePositiveRate);
        Assert.True(searching.Threshold >= plain.Threshold);
    }
}
