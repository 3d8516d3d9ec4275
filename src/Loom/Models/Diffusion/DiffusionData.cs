using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Diffusion;

/// <summary>Training data in model space (images scaled to [−1, 1]) with optional labels, and what describes it.</summary>
public sealed record DiffusionData(TensorDataset Set, long[] SampleShape, bool Images, IReadOnlyList<string> ClassNames, string Name, DataProvenance Provenance)
{
    /// <summary>
    /// Loads <c>fashion-mnist</c> (train split; labels when <paramref name="conditional"/>), a toy 2-D set by name
    /// (<paramref name="points"/> points from <paramref name="seed"/>), or a numeric CSV (one vector per row).
    /// </summary>
    public static DiffusionData Load(string spec, bool conditional, int points, long seed)
    {
        using var scope = torch.NewDisposeScope();
        if (string.Equals(spec, FashionMnist.Name, StringComparison.OrdinalIgnoreCase))
        {
            using var data = FashionMnist.Load(FashionMnistSplit.Train);
            var x = (data.Images * 2 - 1).MoveToOuterDisposeScope();
            var set = conditional ? new TensorDataset(x, data.Labels.clone().MoveToOuterDisposeScope()) : new TensorDataset(x);
            var (imageFile, _) = FashionMnist.FileNames(FashionMnistSplit.Train);
            var path = Path.Combine(data.Folder, imageFile);
            var provenance = File.Exists(path) ? DataProvenance.OfFile(path) : new DataProvenance($"{FashionMnist.Name}:train", "", 0);
            return new DiffusionData(set, [1, 28, 28], true, conditional ? FashionMnist.ClassNames : [], FashionMnist.Name, provenance);
        }
        if (conditional)
            throw new LoomUsageException($"--conditional: '{spec}' has no class labels (only fashion-mnist has)");
        if (!File.Exists(spec) && ToyData.IsToy(spec))
        {
            var x = ToyData.Generate(spec, points, seed, dtype: ScalarType.Float32).MoveToOuterDisposeScope();
            var hash = FileHash.Sha256(System.Runtime.InteropServices.MemoryMarshal.AsBytes(x.data<float>().ToArray().AsSpan()));
            return new DiffusionData(new TensorDataset(x), [x.shape[1]], false, [], spec.ToLowerInvariant(),
                new DataProvenance($"toy:{spec.ToLowerInvariant()} points={points} seed={seed}", hash, x.numel() * 4));
        }
        if (!File.Exists(spec))
            throw new LoomDataException($"--data: {spec}: no such file, and not fashion-mnist or a toy set ({string.Join(", ", ToyData.Names)})");
        var table = NumericCsv.ReadMatrix(spec).to(ScalarType.Float32).MoveToOuterDisposeScope();
        return new DiffusionData(new TensorDataset(table), [table.shape[1]], false, [], Path.GetFileName(spec), DataProvenance.OfFile(spec));
    }
}
