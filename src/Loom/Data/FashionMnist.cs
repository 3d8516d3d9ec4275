using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>The two Fashion-MNIST splits.</summary>
public enum FashionMnistSplit
{
    /// <summary>60,000 training images (<c>train-*</c>).</summary>
    Train,
    /// <summary>10,000 test images (<c>t10k-*</c>).</summary>
    Test,
}

/// <summary>One loaded split: images float32 [n,1,28,28] in [0,1], labels int64 [n] in 0..9. Disposing frees both.</summary>
/// <param name="Images">Pixel intensities / 255.</param>
/// <param name="Labels">Class indices into <see cref="FashionMnist.ClassNames"/>.</param>
/// <param name="Folder">Where the files were read from.</param>
public sealed record FashionMnistData(Tensor Images, Tensor Labels, string Folder) : IDisposable
{
    /// <summary>Number of examples.</summary>
    public long Count => Labels.shape[0];

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Loads Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from its four IDX files, gzipped or not. Folders searched, in
/// order: an explicit folder, <c>$LOOM_DATA/fashion-mnist</c>, <c>~/.cache/loom/fashion-mnist</c>, the checkout's
/// <c>shared/data/fashion-mnist</c>, and Debian's <c>/usr/share/datasets/fashion-mnist</c>
/// (<c>apt-get install dataset-fashion-mnist</c>), which uses the upstream file names.
/// </summary>
public static class FashionMnist
{
    /// <summary>The catalog name.</summary>
    public const string Name = "fashion-mnist";

    /// <summary>Class names by label index.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>Parses "train" or "test" (also "t10k").</summary>
    public static FashionMnistSplit ParseSplit(string split) => split.Trim().ToLowerInvariant() switch
    {
        "train" => FashionMnistSplit.Train,
        "test" or "t10k" => FashionMnistSplit.Test,
        _ => throw LoomUsageException.ForOption("Split", $"'{split}' is not a Fashion-MNIST split; use train or test"),
    };

    /// <summary>The (images, labels) .gz file names of a split.</summary>
    public static (string Images, string Labels) FileNames(FashionMnistSplit split)
    {
        var prefix = split == FashionMnistSplit.Train ? "train" : "t10k";
        return ($"{prefix}-images-idx3-ubyte.gz", $"{prefix}-labels-idx1-ubyte.gz");
    }

    /// <summary>The folder holding all four files: <paramref name="folder"/> when given (error if incomplete), else the first searched
    /// folder that has them, else null.</summary>
    public static string? FindFolder(string? folder = null, DataSearchPaths? paths = null)
    {
        var entry = DataCatalog.Get(Name);
        if (folder is not null)
        {
            if (Directory.Exists(folder) && entry.Files.All(f => f.LocalNames.Any(n => File.Exists(Path.Combine(folder, n)))))
                return folder;
            throw new LoomDataException(
                $"{folder}: does not hold the four Fashion-MNIST files ({string.Join(", ", entry.Files.Select(f => f.FileName))})");
        }
        return DataCatalog.Locate(entry, paths ?? DataSearchPaths.Default())?.Folder;
    }

    /// <summary>
    /// The folder holding all four files, downloading them into the cache first when they are on no searched folder and
    /// the paths allow it (<see cref="DataSearchPaths.FetchMissing"/>); null when they are missing and not fetched.
    /// </summary>
    public static string? FindOrFetchFolder(DataSearchPaths? paths = null) =>
        DataCatalog.LocateOrFetch(DataCatalog.Get(Name), paths ?? DataSearchPaths.Default())?.Folder;

    /// <summary>Loads a split ("train" or "test") as float images in [0,1] and int64 labels.</summary>
    public static FashionMnistData Load(string split, string? folder = null, DataSearchPaths? paths = null) =>
        Load(ParseSplit(split), folder, paths);

    /// <summary>Loads a split as float images [n,1,28,28] in [0,1] and int64 labels [n].</summary>
    public static FashionMnistData Load(FashionMnistSplit split, string? folder = null, DataSearchPaths? paths = null)
    {
        var (bytes, labels, found) = LoadRaw(split, folder, paths);
        using (bytes)
        {
            using var scope = torch.NewDisposeScope();
            var images = ToFloatImages(bytes).MoveToOuterDisposeScope();
            return new FashionMnistData(images, labels, found);
        }
    }

    /// <summary>Loads a split as raw bytes: images uint8 [n,28,28] and labels int64 [n], checked for shape and range.</summary>
    public static (Tensor Images, Tensor Labels, string Folder) LoadRaw(FashionMnistSplit split, string? folder = null,
        DataSearchPaths? paths = null)
    {
        var found = (folder is null ? FindOrFetchFolder(paths) : FindFolder(folder)) ?? throw LoomDataException.ForOption("Data",
            $"{Name}: not found on this machine; {DataCatalog.HowToGet(DataCatalog.Get(Name))}");
        var (imageName, labelName) = FileNames(split);
        var imagePath = Existing(found, imageName);
        var labelPath = Existing(found, labelName);
        var images = IdxFile.Read(imagePath);
        try
        {
            if (images.dtype != ScalarType.Byte || images.dim() != 3 || images.shape[1] != 28 || images.shape[2] != 28)
                throw new LoomDataException(
                    $"{imagePath}: expected u8 images [n, 28, 28], got {images.dtype} [{string.Join(", ", images.shape)}]");
            using var rawLabels = IdxFile.Read(labelPath);
            if (rawLabels.dtype != ScalarType.Byte || rawLabels.dim() != 1)
                throw new LoomDataException(
                    $"{labelPath}: expected u8 labels [n], got {rawLabels.dtype} [{string.Join(", ", rawLabels.shape)}]");
            if (rawLabels.shape[0] != images.shape[0])
                throw new LoomDataException($"{labelPath}: has {rawLabels.shape[0]} labels but {imagePath} has {images.shape[0]} images");
            if (rawLabels.numel() > 0 && rawLabels.max().item<byte>() >= ClassNames.Count)
                throw new LoomDataException($"{labelPath}: has label {rawLabels.max().item<byte>()}, expected 0..{ClassNames.Count - 1}");
            return (images, rawLabels.to(ScalarType.Int64), found);
        }
        catch
        {
            images.Dispose();
            throw;
        }
    }

    /// <summary>uint8 images [n,28,28] (or [n,1,28,28]) to float32 [n,1,28,28] scaled to [0,1].</summary>
    public static Tensor ToFloatImages(Tensor bytes)
    {
        using var scope = torch.NewDisposeScope();
        var x = bytes.dim() == 3 ? bytes.unsqueeze(1) : bytes;
        return (x.to(ScalarType.Float32) / 255f).MoveToOuterDisposeScope();
    }

    private static string Existing(string folder, string gzName)
    {
        var gz = Path.Combine(folder, gzName);
        return File.Exists(gz) ? gz : Path.Combine(folder, gzName[..^3]);
    }
}
