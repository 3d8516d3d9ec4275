using System.Text;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// A folder of PNG images as training data: every <c>*.png</c> in name order, colour averaged to grey (alpha dropped),
/// all of one size, as float32 [n, 1, H, W] in [0, 1] without labels.
/// </summary>
public static class PngFolder
{
    /// <summary>
    /// Reads the folder (the first <paramref name="limit"/> files when &gt; 0). Errors name <paramref name="option"/>.
    /// The provenance hashes the files' SHA-256s in name order.
    /// </summary>
    public static TrainingData Load(string folder, string option = "Data", int limit = 0)
    {
        if (!Directory.Exists(folder))
            throw LoomDataException.ForOption(option, $"{folder}: no such folder");
        var files = Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw LoomDataException.ForOption(option, $"{folder} holds no .png files");
        if (limit > 0)
            files = files.Take(limit).ToList();
        using var scope = torch.NewDisposeScope();
        var images = new List<Tensor>();
        var hashes = new StringBuilder();
        long bytes = 0;
        foreach (var file in files)
        {
            var image = Png.Read(file);
            if (image.shape[0] == 4) image = image.narrow(0, 0, 3);
            if (image.shape[0] == 3) image = image.mean([0], keepdim: true);
            if (images.Count > 0 && !image.shape.SequenceEqual(images[0].shape))
                throw new LoomDataException($"{file}: is {image.shape[2]}×{image.shape[1]} but {Path.GetFileName(files[0])} is "
                    + $"{images[0].shape[2]}×{images[0].shape[1]}; all images need one size");
            images.Add(image);
            hashes.Append(FileHash.Sha256(file));
            bytes += new FileInfo(file).Length;
        }
        var stacked = torch.stack(images, 0).contiguous().MoveToOuterDisposeScope();
        var provenance =
            new DataProvenance($"{Path.GetFullPath(folder)} ({files.Count} PNGs; sha256 over the files' sha256s in name order)",
            FileHash.Sha256(Encoding.ASCII.GetBytes(hashes.ToString())), bytes);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        return new TrainingData(stacked, null, stacked.shape.Skip(1).ToArray(), true, [], name, provenance);
    }
}
