namespace Loom.Data;

/// <summary>How <see cref="TrainingData.Load"/> reads a data set; the defaults load the whole training split.</summary>
public sealed record DataLoadOptions
{
    /// <summary>The Fashion-MNIST split; other sources have no split and ignore it.</summary>
    public FashionMnistSplit Split { get; init; } = FashionMnistSplit.Train;

    /// <summary>Fashion-MNIST classes to keep (null or empty: all). Only data with class labels accepts a subset.</summary>
    public IReadOnlyList<int>? Classes { get; init; }

    /// <summary>
    /// With a subset: true relabels the kept classes 0…k−1 in the order given and names only them; false keeps the
    /// original Fashion-MNIST labels and all ten class names.
    /// </summary>
    public bool Relabel { get; init; }

    /// <summary>Points drawn from a toy set.</summary>
    public int Points { get; init; } = 20000;

    /// <summary>Seed of a toy set's points.</summary>
    public long Seed { get; init; }

    /// <summary>&gt; 0 keeps only the first <see cref="Limit"/> examples (Fashion-MNIST and PNG folders).</summary>
    public int Limit { get; init; }

    /// <summary>Whether a folder of PNG images is accepted as a data set.</summary>
    public bool AllowPngFolder { get; init; }
}
