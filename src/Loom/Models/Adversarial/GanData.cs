using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Adversarial;

/// <summary>
/// GAN training data in data space (images in [0, 1], vectors as read) with optional labels, and what describes it:
/// the sample shape, class names, the vectors' overall range and the provenance for the model card.
/// </summary>
public sealed record GanData(TensorDataset Set, long[] SampleShape, bool Images, IReadOnlyList<string> ClassNames, string Name,
    DataProvenance Provenance, (double Low, double High)? Range)
{
    public bool HasLabels => Set.Width > 1;

    /// <summary>Number of classes present in the data (Fashion-MNIST: 10 or the chosen subset; 0 for data without classes).</summary>
    public int DataClasses { get; init; }

    /// <summary>
    /// Loads <c>fashion-mnist</c> (train split, optionally only <paramref name="classes"/>, relabelled 0…k−1 in the
    /// order given), a toy 2-D set by name (<paramref name="points"/> points from <paramref name="seed"/>), or a numeric
    /// CSV (one vector per row). Labels are kept only when <paramref name="labels"/>; only Fashion-MNIST has them.
    /// </summary>
    public static GanData Load(string spec, bool labels, int points, long seed, IReadOnlyList<int>? classes = null)
    {
        using var scope = torch.NewDisposeScope();
        if (IsImageSet(spec))
            return LoadFashionMnist(labels, classes);
        if (labels)
            throw new LoomUsageException($"--data: '{spec}' has no class labels, and a conditional GAN needs them (only fashion-mnist has)");
        if (classes is { Count: > 0 })
            throw new LoomUsageException($"--classes: '{spec}' has no classes to choose from (only fashion-mnist has)");
        if (!File.Exists(spec) && ToyData.IsToy(spec))
        {
            var x = ToyData.Generate(spec, points, seed, dtype: ScalarType.Float32).MoveToOuterDisposeScope();
            var hash = FileHash.Sha256(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.data<float>().ToArray().AsSpan()));
            var name = spec.Trim().ToLowerInvariant();
            return new GanData(new TensorDataset(x), [x.shape[1]], false, [], name,
                new DataProvenance($"toy:{name} points={points} seed={seed}", hash, x.numel() * 4), RangeOf(x));
        }
        if (!File.Exists(spec))
            throw new LoomDataException($"--data: {spec}: no such file, and not fashion-mnist or a toy set ({string.Join(", ", ToyData.Names)})");
        var table = NumericCsv.ReadMatrix(spec).to(ScalarType.Float32).MoveToOuterDisposeScope();
        return new GanData(new TensorDataset(table), [table.shape[1]], false, [], Path.GetFileName(spec), DataProvenance.OfFile(spec), RangeOf(table));
    }

    /// <summary>True when <paramref name="spec"/> names an image data set (fashion-mnist) rather than vectors.</summary>
    public static bool IsImageSet(string spec) => string.Equals(spec.Trim(), FashionMnist.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Rows <paramref name="indices"/> of the samples (data space).</summary>
    public Tensor Rows(long[] indices) => Set.Get(indices)[0];

    private static GanData LoadFashionMnist(bool labels, IReadOnlyList<int>? classes)
    {
        using var data = FashionMnist.Load(FashionMnistSplit.Train);
        var images = data.Images;
        var ids = data.Labels;
        var names = FashionMnist.ClassNames;
        if (classes is { Count: > 0 })
        {
            if (classes.Distinct().Count() != classes.Count || classes.Any(c => c < 0 || c >= names.Count))
                throw new LoomUsageException($"--classes: expected distinct class ids in 0–{names.Count - 1}, got {string.Join(",", classes)}");
            var keep = torch.zeros_like(ids, dtype: ScalarType.Bool);
            var relabelled = torch.zeros_like(ids);
            for (int i = 0; i < classes.Count; i++)
            {
                var match = ids.eq(classes[i]);
                keep = keep.logical_or(match);
                relabelled = torch.where(match, torch.full_like(ids, i), relabelled);
            }
            var rows = keep.nonzero().squeeze(1);
            images = images.index_select(0, rows);
            ids = relabelled.index_select(0, rows);
            names = classes.Select(c => names[c]).ToArray();
        }
        var set = labels
            ? new TensorDataset(images.clone().MoveToOuterDisposeScope(), ids.clone().MoveToOuterDisposeScope())
            : new TensorDataset(images.clone().MoveToOuterDisposeScope());
        var (imageFile, _) = FashionMnist.FileNames(FashionMnistSplit.Train);
        var path = Path.Combine(data.Folder, imageFile);
        var provenance = File.Exists(path) ? DataProvenance.OfFile(path) : new DataProvenance($"{FashionMnist.Name}:train", "", 0);
        string name = classes is { Count: > 0 } ? $"{FashionMnist.Name}[{string.Join(",", classes)}]" : FashionMnist.Name;
        return new GanData(set, [1, 28, 28], true, labels ? names : [], name, provenance, null) { DataClasses = names.Count };
    }

    private static (double, double) RangeOf(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return (x.min().ToDouble(), x.max().ToDouble());
    }
}
