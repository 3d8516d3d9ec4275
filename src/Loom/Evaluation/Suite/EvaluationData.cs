using Loom.Core;
using Loom.Data;

namespace Loom.Evaluation.Suite;

/// <summary>The three kinds of real data <c>loom eval --data</c> accepts.</summary>
public enum EvaluationDataKind
{
    /// <summary>Fashion-MNIST: images, metrics in the reference network's feature space.</summary>
    Images,
    /// <summary>A toy set or a numeric CSV: vectors, metrics in data coordinates.</summary>
    Vectors,
    /// <summary>UTF-8 text (the training corpus of a text model): a file or a text data set such as tinyshakespeare.</summary>
    Text,
}

/// <summary>A resolved <c>--data</c> value: its kind, and its file for CSV and text data.</summary>
public sealed record EvaluationDataSpec(string Spec, EvaluationDataKind Kind, string? ToyName, string? File)
{
    /// <summary>Resolves through the data catalog (files, catalog names, toy sets), as <c>loom train</c> does.</summary>
    public static EvaluationDataSpec Resolve(string spec)
    {
        var source = DataCatalog.Resolve(spec);
        return source.Kind switch
        {
            DatasetKind.Images when source.Name == FashionMnist.Name => new(spec, EvaluationDataKind.Images, null, null),
            DatasetKind.Toy => new(spec, EvaluationDataKind.Vectors, source.Name, null),
            DatasetKind.Table => new(spec, EvaluationDataKind.Vectors, null, source.Path),
            DatasetKind.Text => new(spec, EvaluationDataKind.Text, null, source.Path),
            _ => throw LoomDataException.ForOption("Data",
                $"{spec}: evaluation compares with fashion-mnist, a toy set, a numeric CSV or a text corpus"),
        };
    }
}
