using Loom.Core;
using Loom.Data;

namespace Loom.Evaluation.Suite;

/// <summary>The three kinds of real data <c>loom eval --data</c> accepts, decided from the spec.</summary>
public enum EvaluationDataKind
{
    /// <summary><c>fashion-mnist</c>: images, metrics in the reference network's feature space.</summary>
    Images,
    /// <summary>A toy set name or a numeric CSV: vectors, metrics in data coordinates.</summary>
    Vectors,
    /// <summary>Any other file: UTF-8 text (the training corpus of a text model).</summary>
    Text,
}

/// <summary>Parses a <c>--data</c> spec into its kind.</summary>
public static class EvaluationData
{
    public static EvaluationDataKind KindOf(string spec)
    {
        if (string.Equals(spec, FashionMnist.Name, StringComparison.OrdinalIgnoreCase))
            return EvaluationDataKind.Images;
        if (!File.Exists(spec) && ToyData.IsToy(spec))
            return EvaluationDataKind.Vectors;
        if (Directory.Exists(spec))
            throw new LoomDataException($"--data {spec}: is a folder; give fashion-mnist, a toy set name, a CSV file or a text file");
        if (!File.Exists(spec))
            throw new LoomDataException($"--data {spec}: no such file, and not fashion-mnist or a toy set ({string.Join(", ", ToyData.Names)})");
        return spec.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? EvaluationDataKind.Vectors : EvaluationDataKind.Text;
    }
}
