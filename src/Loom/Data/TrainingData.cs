using System.Runtime.InteropServices;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// Training data of a generative model in data space, float32 on CPU: images [n, 1, H, W] in [0, 1] or vectors
/// [n, d]; int64 labels [n] when the source has classes; and what describes it for the config and model card.
/// Owns its tensors.
/// </summary>
/// <param name="Examples">Images [n, 1, H, W] in [0, 1], or vectors [n, d].</param>
/// <param name="Labels">Class indices into <see cref="ClassNames"/>; null when the source has no classes.</param>
/// <param name="SampleShape">The shape of one example.</param>
/// <param name="Images">True for images, false for vectors.</param>
/// <param name="ClassNames">Names of the label values (empty without labels).</param>
/// <param name="Name">fashion-mnist, the toy set's name, or the file or folder name.</param>
/// <param name="Provenance">Where the data came from, for the model card.</param>
public sealed record TrainingData(Tensor Examples, Tensor? Labels, long[] SampleShape, bool Images, IReadOnlyList<string> ClassNames,
    string Name, DataProvenance Provenance) : IDisposable
{
    /// <summary>Number of examples.</summary>
    public long Count => Examples.shape[0];

    /// <summary>The vectors' overall (min, max); null for images.</summary>
    public (double Low, double High)? Range { get; init; }

    /// <summary>The Fashion-MNIST classes kept, in the order asked for; null when all are.</summary>
    public IReadOnlyList<int>? Subset { get; init; }

    /// <summary>The training set: the examples, plus the labels when <paramref name="withLabels"/>. It views this record's
    /// tensors.</summary>
    public TensorDataset ToDataset(bool withLabels) =>
        withLabels ? new TensorDataset(Examples, Labels ?? throw LoomUsageException.ForOption("Data", $"{Name} has no class labels"))
            : new TensorDataset(Examples);

    /// <summary>Disposes the examples and labels.</summary>
    public void Dispose()
    {
        Examples.Dispose();
        Labels?.Dispose();
    }

    /// <summary>True when <paramref name="spec"/> names Fashion-MNIST, the one source with class labels.</summary>
    public static bool IsFashionMnist(string spec) => string.Equals(spec.Trim(), FashionMnist.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Loads <c>fashion-mnist</c> (a split, optionally a subset of its classes), a toy 2-D set by name, a numeric CSV
    /// (one vector per row) or, when <see cref="DataLoadOptions.AllowPngFolder"/>, a folder of PNG images.
    /// </summary>
    public static TrainingData Load(string spec, DataLoadOptions options)
    {
        if (options.Limit < 0)
            throw LoomUsageException.ForOption(nameof(options.Limit), $"must be non-negative, got {options.Limit}");
        if (IsFashionMnist(spec))
            return LoadFashionMnist(options);
        if (options.Classes is { Count: > 0 })
            throw LoomUsageException.ForOption("Classes", $"'{spec}' has no class labels (only fashion-mnist has)");
        if (Directory.Exists(spec))
            return options.AllowPngFolder ? PngFolder.Load(spec, "Data", options.Limit)
                : throw LoomDataException.ForOption("Data", $"{spec} is a folder; this model trains on fashion-mnist, a toy set "
                    + $"({string.Join(", ", ToyData.Names)}) or a numeric CSV");
        if (options.Limit > 0)
            throw LoomUsageException.ForOption("TrainLimit", "applies to fashion-mnist and folders of PNGs only");
        if (!File.Exists(spec) && ToyData.IsToy(spec))
            return LoadToy(spec, options.Points, options.Seed);
        if (!File.Exists(spec))
            throw LoomDataException.ForOption("Data",
                $"{spec}: no such file, and not fashion-mnist or a toy set ({string.Join(", ", ToyData.Names)})");
        using var scope = torch.NewDisposeScope();
        var table = NumericCsv.ReadMatrix(spec).to(ScalarType.Float32).MoveToOuterDisposeScope();
        return Vectors(table, Path.GetFileName(spec), DataProvenance.OfFile(spec));
    }

    private static TrainingData LoadToy(string spec, int points, long seed)
    {
        var x = ToyData.Generate(spec, points, seed, dtype: ScalarType.Float32);
        var hash = FileHash.Sha256(MemoryMarshal.AsBytes(x.data<float>().ToArray().AsSpan()));
        var name = spec.Trim().ToLowerInvariant();
        return Vectors(x, name, new DataProvenance($"toy:{name} points={points} seed={seed}", hash, x.numel() * 4));
    }

    private static TrainingData Vectors(Tensor x, string name, DataProvenance provenance)
    {
        using var scope = torch.NewDisposeScope();
        var range = (x.min().ToDouble(), x.max().ToDouble());
        return new TrainingData(x, null, [x.shape[1]], false, [], name, provenance) { Range = range };
    }

    private static TrainingData LoadFashionMnist(DataLoadOptions options)
    {
        var classes = options.Classes is { Count: > 0 } chosen ? chosen : null;
        if (classes is not null)
            FashionMnistClasses.Check(classes);
        using var data = FashionMnist.Load(options.Split);
        using var scope = torch.NewDisposeScope();
        var images = data.Images;
        var labels = data.Labels;
        IReadOnlyList<string> names = FashionMnist.ClassNames;
        var notes = new List<string>();
        if (classes is not null)
        {
            var keep = torch.zeros_like(labels, ScalarType.Bool);
            foreach (int c in classes)
                keep = keep.logical_or(labels.eq(c));
            var rows = keep.nonzero().reshape(-1);
            images = images.index_select(0, rows);
            labels = labels.index_select(0, rows);
            if (options.Relabel)
            {
                var relabel = torch.full(FashionMnist.ClassNames.Count, -1L, ScalarType.Int64);
                for (int i = 0; i < classes.Count; i++)
                    relabel[classes[i]] = i;
                labels = relabel.index_select(0, labels);
                names = classes.Select(c => FashionMnist.ClassNames[c]).ToArray();
            }
            notes.Add($"classes={string.Join(",", classes)}");
        }
        if (options.Limit > 0 && options.Limit < images.shape[0])
        {
            images = images.narrow(0, 0, options.Limit);
            labels = labels.narrow(0, 0, options.Limit);
            notes.Add($"first={options.Limit}");
        }
        var provenance = FashionMnistProvenance(data.Folder, options.Split, notes);
        // contiguous() gives new handles (sharing storage when nothing was selected), so disposing `data` frees nothing returned.
        return new TrainingData(images.contiguous().MoveToOuterDisposeScope(),
            labels.contiguous().MoveToOuterDisposeScope(), [1, 28, 28], true,
            names, FashionMnist.Name, provenance)
        { Subset = classes };
    }

    /// <summary>The split's image file (hash and size), its source annotated with the subset taken, if any.</summary>
    private static DataProvenance FashionMnistProvenance(string folder, FashionMnistSplit split, IReadOnlyList<string> notes)
    {
        var source = $"{FashionMnist.Name}:{split.ToString().ToLowerInvariant()}";
        var path = Path.Combine(folder, FashionMnist.FileNames(split).Images);
        if (!File.Exists(path))
            return new DataProvenance(string.Join(" ", notes.Prepend(source)), "", 0);
        var file = DataProvenance.OfFile(path);
        return notes.Count == 0 ? file : file with { Source = $"{file.Source} ({string.Join(" ", notes.Prepend(source))})" };
    }
}
