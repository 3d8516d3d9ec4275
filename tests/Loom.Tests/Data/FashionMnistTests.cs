using Loom.Tests.Support;
using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Data;

public class FashionMnistTests
{
    /// <summary>Writes a tiny Fashion-MNIST look-alike (n images per split) with IdxFile.Write.</summary>
    private static void WriteFake(string folder, int n, bool gzip = true, int maxLabel = 9)
    {
        foreach (var split in new[] { FashionMnistSplit.Train, FashionMnistSplit.Test })
        {
            var (imageName, labelName) = FashionMnist.FileNames(split);
            if (!gzip)
                (imageName, labelName) = (imageName[..^3], labelName[..^3]);
            using var images = (torch.arange(n * 28 * 28, dtype: ScalarType.Int64) % 256).to(ScalarType.Byte).reshape(n, 28, 28);
            using var labels = (torch.arange(n, dtype: ScalarType.Int64) % (maxLabel + 1)).to(ScalarType.Byte);
            IdxFile.Write(Path.Combine(folder, imageName), images);
            IdxFile.Write(Path.Combine(folder, labelName), labels);
        }
    }

    [Fact]
    public void LoadsFakeFilesFromExplicitFolderScaledToUnitRange()
    {
        using var tmp = new TempFolder();
        WriteFake(tmp.Path, 5);
        using var data = FashionMnist.Load("train", tmp.Path);
        Assert.Equal(new long[] { 5, 1, 28, 28 }, data.Images.shape);
        Assert.Equal(ScalarType.Float32, data.Images.dtype);
        Assert.Equal(ScalarType.Int64, data.Labels.dtype);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, data.Labels.data<long>().ToArray());
        // pixel k of the flattened stack is k % 256
        Assert.Equal(0f, data.Images[0, 0, 0, 0].item<float>());
        Assert.Equal(1f, data.Images[0, 0, 9, 3].item<float>()); // index 255
        Assert.Equal(20f / 255f, data.Images[1, 0, 0, 4].item<float>(), 6); // index 784 + 4 = 788, 788 % 256 = 20
    }

    [Fact]
    public void ToFloatImagesMatchesBytesOver255()
    {
        using var bytes = torch.tensor(new byte[] { 0, 51, 255, 128 }, new long[] { 1, 2, 2 });
        using var f = FashionMnist.ToFloatImages(bytes);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, f.shape);
        Assert.Equal(new[] { 0f, 0.2f, 1f, 128f / 255f }, f.data<float>().ToArray());
    }

    [Fact]
    public void FindsUncompressedFilesThroughLoomData()
    {
        using var tmp = new TempFolder();
        var paths = tmp.SearchPaths();
        var folder = Path.Combine(paths.LoomData!, "fashion-mnist");
        Directory.CreateDirectory(folder);
        WriteFake(folder, 3, gzip: false);
        Assert.Equal(folder, FashionMnist.FindFolder(paths: paths));
        using var data = FashionMnist.Load(FashionMnistSplit.Test, paths: paths);
        Assert.Equal(3, data.Count);
        Assert.Equal(folder, data.Folder);
    }

    [Fact]
    public void BadFilesAndMissingFolderAreOneLineErrors()
    {
        using var tmp = new TempFolder();
        WriteFake(tmp.Path, 12, maxLabel: 11);
        var e = Assert.Throws<LoomDataException>(() => FashionMnist.Load("train", tmp.Path));
        Assert.Contains("label 11", e.Message);

        using var labels = torch.zeros(4, dtype: ScalarType.Byte);
        IdxFile.Write(Path.Combine(tmp.Path, "t10k-labels-idx1-ubyte.gz"), labels);
        var e2 = Assert.Throws<LoomDataException>(() => FashionMnist.Load("test", tmp.Path));
        Assert.Contains("has 4 labels", e2.Message);

        var empty = Path.Combine(tmp.Path, "empty");
        Directory.CreateDirectory(empty);
        Assert.Contains("does not hold", Assert.Throws<LoomDataException>(() => FashionMnist.Load("train", empty)).Message);
        Assert.Throws<LoomUsageException>(() => FashionMnist.Load("validation", tmp.Path));

        var nowhere = new TempFolder();
        using (nowhere)
        {
            var e3 = Assert.Throws<LoomDataException>(() => FashionMnist.Load("train", paths: nowhere.SearchPaths()));
            Assert.Contains("apt-get install dataset-fashion-mnist", e3.Message);
            Assert.DoesNotContain('\n', e3.Message);
        }
    }

    [FashionMnistFact]
    public void InstalledTrainSplitHasSixtyThousandBalancedImages()
    {
        using var data = FashionMnist.Load("train");
        Assert.Equal(new long[] { 60000, 1, 28, 28 }, data.Images.shape);
        Assert.Equal(0f, data.Images.min().item<float>());
        Assert.Equal(1f, data.Images.max().item<float>());
        using var counts = torch.bincount(data.Labels);
        Assert.Equal(Enumerable.Repeat(6000L, 10), counts.data<long>().ToArray());
    }

    [FashionMnistFact]
    public void InstalledTestSplitHasTenThousandImagesAndKnownChecksums()
    {
        using var data = FashionMnist.Load("test");
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, data.Images.shape);
        Assert.Equal(10000, data.Labels.shape[0]);
        Assert.InRange(data.Labels.min().item<long>(), 0, 9);
        Assert.InRange(data.Labels.max().item<long>(), 0, 9);
        Assert.True(data.Images.ge(0).all().item<bool>() && data.Images.le(1).all().item<bool>());
        var info = DataCatalog.Info("fashion-mnist");
        Assert.True(info.Available);
        Assert.All(info.Files, f => Assert.True(f.Status is ChecksumStatus.Verified or ChecksumStatus.KnownAlternate,
            $"{f.Path}: {f.Status} {f.Sha256}"));
    }
}
