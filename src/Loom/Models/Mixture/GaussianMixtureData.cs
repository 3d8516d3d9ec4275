using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using static TorchSharp.torch;

namespace Loom.Models.Mixture;

/// <summary>The table a Gaussian mixture run fits: a numeric CSV or a generated toy set, and its seeded held-out split.</summary>
public static class GaussianMixtureData
{
    /// <summary>A numeric CSV or a generated toy set, with its provenance (file hash, or a hash of the generated values).</summary>
    public static (Tensor X, DataProvenance Provenance) Load(string spec, int points, long seed)
    {
        if (!File.Exists(spec) && ToyData.IsToy(spec))
        {
            var x = ToyData.Generate(spec, points, seed);
            var hash = FileHash.Sha256(x.contiguous().bytes);
            return (x, new DataProvenance($"toy:{spec.ToLowerInvariant()} points={points} seed={seed}", hash, x.numel() * 8));
        }
        if (!File.Exists(spec))
            throw new LoomDataException($"{spec}: no such file and not a toy set ({string.Join(", ", ToyData.Names)})");
        return (NumericCsv.ReadMatrix(spec), DataProvenance.OfFile(spec));
    }

    /// <summary>The rows split by a seeded permutation: the first <paramref name="fraction"/> held out (null when none is).</summary>
    public static (Tensor Train, Tensor? HeldOut) Split(Tensor x, double fraction, long seed)
    {
        long n = x.shape[0];
        long held = (long)Math.Floor(n * fraction);
        if (held == 0)
            return (x, null);
        var order = randperm(n, generator: Seeding.Generator(seed, "holdout"));
        return (x.index_select(0, order.narrow(0, held, n - held)), x.index_select(0, order.narrow(0, 0, held)));
    }
}
