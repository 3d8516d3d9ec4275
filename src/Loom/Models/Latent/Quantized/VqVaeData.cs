using System.Text;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent.Quantized;

/// <summary>
/// VQ-VAE training images: float32 [n, 1, S, S] in [0, 1], with int64 labels [n] when the source has classes, and what
/// describes them. Owns its tensors.
/// </summary>
public sealed class VqVaeData : IDisposable
{
    private VqVaeData(Tensor images, Tensor? labels, IReadOnlyList<string> classNames, string name, DataProvenance provenance)
    {
        Images = images;
        Labels = labels;
        ClassNames = classNames;
        Name = name;
        Provenance = provenance;
    }

    public Tensor Images { get; }
    /// <summary>Class indices into <see cref="ClassNames"/>; null for a folder of PNGs.</summary>
    public Tensor? Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public string Name { get; }
    public DataProvenance Provenance { get; }
    public long Count => Images.shape[0];
    public int ImageSize => (int)Images.shape[2];

    /// <summary>
    /// <c>fashion-mnist</c> (the training split; <paramref name="classes"/> keeps those classes, relabelled 0, 1, … in
    /// the order given) or a folder of square grey PNGs of one size (colour is averaged to grey, no labels).
    /// <paramref name="limit"/> &gt; 0 keeps the first <paramref name="limit"/> images.
    /// </summary>
    public static VqVaeData Load(string spec, IReadOnlyList<int>? classes = null, int limit = 0)
    {
        if (limit < 0) throw new LoomUsageException($"--train-limit: must be non-negative, got {limit}");
        if (string.Equals(spec, FashionMnist.Name, StringComparison.OrdinalIgnoreCase))
            return LoadFashionMnist(classes, limit);
        if (Directory.Exists(spec))
        {
            if (classes is { Count: > 0 })
                throw new LoomUsageException($"--classes: {spec} is a folder of PNGs without class labels (only fashion-mnist has them)");
            return LoadPngFolder(spec, limit);
        }
        throw new LoomDataException($"--data: '{spec}' is neither fashion-mnist nor a folder of PNG images");
    }

    /// <summary>Parses "0,3,7" into class indices (each used once).</summary>
    public static IReadOnlyList<int> ParseClasses(string text, int numClasses)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var result = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, out int c) || c < 0 || c >= numClasses)
                throw new LoomUsageException($"--classes: '{part}' is not a class index 0..{numClasses - 1}");
            if (result.Contains(c))
                throw new LoomUsageException($"--classes: class {c} is listed twice");
            result.Add(c);
        }
        if (result.Count == 0)
            throw new LoomUsageException("--classes: give at least one class index, e.g. 0,1");
        return result;
    }

    private static VqVaeData LoadFashionMnist(IReadOnlyList<int>? classes, int limit)
    {
        using var scope = torch.NewDisposeScope();
        // The loaded tensors belong to this scope: what is returned is moved out, the rest is freed with the scope.
        var data = FashionMnist.Load(FashionMnistSplit.Train);
        var images = data.Images;
        var labels = data.Labels;
        IReadOnlyList<string> names = FashionMnist.ClassNames;
        var source = $"{FashionMnist.Name}:train";
        if (classes is { Count: > 0 })
        {
            var keep = torch.zeros(labels.shape[0], ScalarType.Bool);
            var relabel = torch.full(FashionMnist.ClassNames.Count, -1L, ScalarType.Int64);
            for (int i = 0; i < classes.Count; i++)
            {
                keep = keep.logical_or(labels.eq(classes[i]));
                relabel[classes[i]] = i;
            }
            var rows = keep.nonzero().reshape(-1);
            images = images.index_select(0, rows);
            labels = relabel.index_select(0, labels.index_select(0, rows));
            names = classes.Select(c => FashionMnist.ClassNames[c]).ToArray();
            source += $" classes={string.Join(",", classes)}";
        }
        if (limit > 0 && limit < images.shape[0])
        {
            images = images.narrow(0, 0, limit);
            labels = labels.narrow(0, 0, limit);
            source += $" first={limit}";
        }
        var (imageFile, _) = FashionMnist.FileNames(FashionMnistSplit.Train);
        var path = Path.Combine(data.Folder, imageFile);
        var provenance = File.Exists(path) ? DataProvenance.OfFile(path) with { Source = $"{Path.GetFullPath(path)} ({source})" } : new DataProvenance(source, "", 0);
        return new VqVaeData(images.contiguous().MoveToOuterDisposeScope(), labels.contiguous().MoveToOuterDisposeScope(), names, FashionMnist.Name, provenance);
    }

    private static VqVaeData LoadPngFolder(string folder, int limit)
    {
        var files = Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new LoomDataException($"--data: {folder} holds no .png files");
        if (limit > 0) files = files.Take(limit).ToList();
        using var scope = torch.NewDisposeScope();
        var images = new List<Tensor>();
        var hashes = new StringBuilder();
        long bytes = 0;
        foreach (var file in files)
        {
            var image = Png.Read(file);
            if (image.shape[0] == 4) image = image.narrow(0, 0, 3);
            if (image.shape[0] == 3) image = image.mean([0], keepdim: true);
            if (image.shape[1] != image.shape[2] || (images.Count > 0 && image.shape[1] != images[0].shape[1]))
                throw new LoomDataException($"{file}: is {image.shape[2]}×{image.shape[1]}; every image must be square and of one size ({Path.GetFileName(files[0])} sets it)");
            images.Add(image);
            hashes.Append(FileHash.Sha256(file));
            bytes += new FileInfo(file).Length;
        }
        var stacked = torch.stack(images, 0).contiguous().MoveToOuterDisposeScope();
        var provenance = new DataProvenance($"{Path.GetFullPath(folder)} ({files.Count} PNGs; sha256 over the files' sha256s in name order)",
            FileHash.Sha256(Encoding.ASCII.GetBytes(hashes.ToString())), bytes);
        return new VqVaeData(stacked, null, [], Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), provenance);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}
