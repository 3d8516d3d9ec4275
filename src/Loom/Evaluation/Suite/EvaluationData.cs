using Loom.Core;
using Loom.Data;
using Loom.Data.Audio;

namespace Loom.Evaluation.Suite;

/// <summary>The kinds of real data <c>loom eval --data</c> accepts.</summary>
public enum EvaluationDataKind
{
    /// <summary>Fashion-MNIST: images, metrics in the reference network's feature space.</summary>
    Images,
    /// <summary>A toy set or a numeric CSV: vectors, metrics in data coordinates.</summary>
    Vectors,
    /// <summary>UTF-8 text (the training corpus of a text model): a file or a text data set such as tinyshakespeare.</summary>
    Text,
    /// <summary>Labelled audio clips (spoken-digits, or a folder with its index.csv): the test split's likelihood and a
    /// classifier fitted to the train split.</summary>
    Audio,
}

/// <summary>A resolved <c>--data</c> value: its kind, and its file for CSV and text data (the index for audio).</summary>
public sealed record EvaluationDataSpec(string Spec, EvaluationDataKind Kind, string? ToyName, string? File)
{
    /// <summary>Resolves through the data catalog (files, catalog names, toy sets), as <c>loom train</c> does.</summary>
    public static EvaluationDataSpec Resolve(string spec)
    {
        if (Directory.Exists(spec) && System.IO.File.Exists(Path.Combine(spec, SpokenDigits.IndexFile)))
            return new(spec, EvaluationDataKind.Audio, null, SpokenDigits.ResolveIndex(spec));
        var source = DataCatalog.Resolve(spec);
        return source.Kind switch
        {
            DatasetKind.Images when source.Name == FashionMnist.Name => new(spec, EvaluationDataKind.Images, null, null),
            DatasetKind.Toy => new(spec, EvaluationDataKind.Vectors, source.Name, null),
            DatasetKind.Table => new(spec, EvaluationDataKind.Vectors, null, source.Path),
            DatasetKind.Text => new(spec, EvaluationDataKind.Text, null, source.Path),
            DatasetKind.Audio => new(spec, EvaluationDataKind.Audio, null, SpokenDigits.ResolveIndex(spec)),
            _ => throw LoomDataException.ForOption("Data",
                $"{spec}: evaluation compares with fashion-mnist, a toy set, a numeric CSV, a text corpus or spoken-digits"),
        };
    }
}
