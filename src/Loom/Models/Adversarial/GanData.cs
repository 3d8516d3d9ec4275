using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
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
        if (labels && !IsImageSet(spec))
            throw LoomUsageException.ForOption("Data",
                $"'{spec}' has no class labels, and a conditional GAN needs them (only fashion-mnist has)");
        // The set views the loaded tensors, which live as long as this data.
        var data = TrainingData.Load(spec, new DataLoadOptions { Classes = classes, Relabel = true, Points = points, Seed = seed });
        string name = data.Subset is { } subset ? $"{data.Name}[{string.Join(",", subset)}]" : data.Name;
        return new GanData(data.ToDataset(labels), data.SampleShape, data.Images, labels ? data.ClassNames : [],
            name, data.Provenance, data.Range)
        {
            DataClasses = data.ClassNames.Count,
        };
    }

    /// <summary>True when <paramref name="spec"/> names an image data set (fashion-mnist) rather than vectors.</summary>
    public static bool IsImageSet(string spec) => TrainingData.IsFashionMnist(spec);

    /// <summary>Rows <paramref name="indices"/> of the samples (data space).</summary>
    public Tensor Rows(long[] indices) => Set.Get(indices)[0];
}
