using System.Text.Json.Nodes;
using Loom.IO.Images;
using Loom.Models;
using Loom.Core;
using Loom.Models.Mixture;
using Loom.Safety.Images;
using Loom.Tests.Support;
using Loom.Watermarks.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Safety.Images;

/// <summary>
/// <see cref="SampleToFile"/>: sample, review, safeguard, write in one call that leaves no tensor behind — points to a CSV
/// equal to the model's own samples, the review's samples written instead of the model's, text without a path, and images
/// marked (or reported too small) with their size.
/// </summary>
public sealed class SampleToFileTests
{
    /// <summary>A model whose samples are fixed images: the pipeline, not a family, is under test.</summary>
    private sealed class FixedImages(int side) : IGenerativeModel
    {
        public string Kind => "fixed-images";
        public JsonObject GetConfig() => [];
        public IReadOnlyDictionary<string, Tensor> GetState() => new Dictionary<string, Tensor>();
        public SampleSet Sample(SampleRequest request) => new TensorSamples(SmoothImages.Create(request.Count, 1, side, request.Seed));
        public void Dispose() { }
    }

    [Fact]
    public void Points_are_written_as_the_model_samples_them_and_no_tensor_outlives_the_call()
    {
        using var work = new TempFolder();
        using var x = torch.randn([200, 2], ScalarType.Float64, generator: Seeding.Generator(1, "points"));
        using var gmm = GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 2, Seed = 1 });
        var request = new SampleRequest { Count = 5, Seed = 3 };
        long before = TensorCounts.Live;
        var result = SampleToFile.Run(gmm, request, new SampleToFileOptions { Path = work.File("points.csv") });
        Assert.Equal(before, TensorCounts.Live);
        Assert.Equal([work.File("points.csv")], result.Written);
        Assert.Equal(SampleWatermarkOutcome.NotImages, result.Watermark);
        Assert.Null(result.ImageSize);
        Assert.Null(result.Text);
        using (var scope = torch.NewDisposeScope())
        {
            var expected = Loom.Data.NumericCsv.Format(((TensorSamples)gmm.Sample(request)).Values);
            Assert.Equal(expected, File.ReadAllText(work.File("points.csv")));
        }
        var printed = SampleToFile.Run(gmm, request, new SampleToFileOptions());
        Assert.Empty(printed.Written);
        Assert.Equal(File.ReadAllText(work.File("points.csv")).Trim(), printed.Text!.Trim());
    }

    [Fact]
    public void The_review_sees_the_samples_first_and_its_samples_are_the_ones_written()
    {
        using var work = new TempFolder();
        using var model = new FixedImages(8);
        SampleSet? seen = null;
        var result = SampleToFile.Run(model, new SampleRequest { Count = 2 }, new SampleToFileOptions
        {
            Path = work.File("points.csv"),
            Review = samples =>
            {
                seen = samples;
                return new TensorSamples(torch.zeros(3, 2));
            },
        });
        Assert.IsType<TensorSamples>(seen);
        Assert.Equal(SampleWatermarkOutcome.NotImages, result.Watermark);
        Assert.Equal(["0,0", "0,0", "0,0"], File.ReadAllLines(work.File("points.csv")));
    }

    [Fact]
    public void Images_are_marked_when_large_enough_and_reported_with_their_size_when_not()
    {
        using var work = new TempFolder();
        var watermark = ImageWatermarkOptions.WithKey("sample-to-file-test");
        using (var model = new FixedImages(32))
        {
            long before = TensorCounts.Live;
            var marked = SampleToFile.Run(model, new SampleRequest { Count = 2, Seed = 5 },
                new SampleToFileOptions { Path = work.File("big.png"), Watermark = watermark });
            Assert.Equal(before, TensorCounts.Live);
            Assert.Equal(SampleWatermarkOutcome.Marked, marked.Watermark);
            Assert.Equal((32L, 32L), marked.ImageSize);
            using var scope = torch.NewDisposeScope();
            var tiles = SampleGrid.Split(Png.Read(work.File("big.png")), 32, 32);
            Assert.All(new ImageWatermarkDetector(watermark).DetectAll(tiles), d => Assert.True(d.Detected));
        }
        using (var model = new FixedImages(8))
        {
            var small = SampleToFile.Run(model, new SampleRequest { Count = 2 },
                new SampleToFileOptions { Path = work.File("small.png"), Watermark = watermark });
            Assert.Equal(SampleWatermarkOutcome.TooSmall, small.Watermark);
            Assert.Equal((8L, 8L), small.ImageSize);
            Assert.True(File.Exists(work.File("small.png")));
        }
    }
}
