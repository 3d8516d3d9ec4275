using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent;

/// <summary>
/// Data for latent-variable models in data space (images in [0, 1], float32) with labels when the source has them,
/// and what describes it. <see cref="Labels"/> is kept even for unconditional training (anomaly detection needs it).
/// </summary>
public sealed record LatentData(Tensor Examples, Tensor? Labels, long[] SampleShape, bool Images, IReadOnlyList<string> ClassNames, string Name, DataProvenance Provenance)
{
    public long Count => Examples.shape[0];

    /// <summary>The training set: examples, plus labels when <paramref name="conditional"/>.</summary>
    public TensorDataset ToDataset(bool conditional) =>
        conditional ? new TensorDataset(Examples, Labels ?? throw new LoomUsageException($"--data {Name}: has no class labels")) : new TensorDataset(Examples);

    /// <summary>
    /// Loads <c>fashion-mnist</c> (the given split, optionally only <paramref name="classes"/>), a toy 2-D set by name
    /// (<paramref name="points"/> points from <paramref name="seed"/>), or a numeric CSV (one vector per row).
    /// </summary>
    public static LatentData Load(string spec, FashionMnistSplit split = FashionMnistSplit.Train, IReadOnlyList<int>? classes = null, int points = 20000, long seed = 0)
    {
        using var scope = torch.NewDisposeScope();
        if (string.Equals(spec, FashionMnist.Name, StringComparison.OrdinalIgnoreCase))
        {
            using var data = FashionMnist.Load(split);
            var images = data.Images;
            var labels = data.Labels;
            if (classes is { Count: > 0 })
            {
                foreach (var c in classes.Where(c => c < 0 || c >= FashionMnist.ClassNames.Count))
                    throw new LoomUsageException($"--classes: class {c} is not in 0..{FashionMnist.ClassNames.Count - 1}");
                var keep = torch.zeros_like(labels, ScalarType.Bool);
                foreach (var c in classes) keep = keep.logical_or(labels.eq(c));
                var index = keep.nonzero().squeeze(1);
                images = images.index_select(0, index);
                labels = labels.index_select(0, index);
            }
            var (imageFile, _) = FashionMnist.FileNames(split);
            var path = Path.Combine(data.Folder, imageFile);
            var provenance = File.Exists(path) ? DataProvenance.OfFile(path) : new DataProvenance($"{FashionMnist.Name}:{split.ToString().ToLowerInvariant()}", "", 0);
            return new LatentData(images.clone().MoveToOuterDisposeScope(), labels.clone().MoveToOuterDisposeScope(), [1, 28, 28], true,
                FashionMnist.ClassNames, FashionMnist.Name, provenance);
        }
        if (classes is { Count: > 0 })
            throw new LoomUsageException($"--classes: '{spec}' has no class labels (only fashion-mnist has)");
        if (!File.Exists(spec) && ToyData.IsToy(spec))
        {
            var x = ToyData.Generate(spec, points, seed, dtype: ScalarType.Float32).MoveToOuterDisposeScope();
            var hash = FileHash.Sha256(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.data<float>().ToArray().AsSpan()));
            return new LatentData(x, null, [x.shape[1]], false, [], spec.ToLowerInvariant(),
                new DataProvenance($"toy:{spec.ToLowerInvariant()} points={points} seed={seed}", hash, x.numel() * 4));
        }
        if (!File.Exists(spec))
            throw new LoomDataException($"--data: {spec}: no such file, and not fashion-mnist or a toy set ({string.Join(", ", ToyData.Names)})");
        var table = NumericCsv.ReadMatrix(spec).to(ScalarType.Float32).MoveToOuterDisposeScope();
        return new LatentData(table, null, [table.shape[1]], false, [], Path.GetFileName(spec), DataProvenance.OfFile(spec));
    }

    /// <summary>Images binarized once with a fixed seed (the usual test set for binarized-image likelihoods).</summary>
    public Tensor Binarized(long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        return torch.bernoulli(Examples, generator: generator);
    }
}
