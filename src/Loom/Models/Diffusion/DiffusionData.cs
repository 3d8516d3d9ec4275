using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;

namespace Loom.Models.Diffusion;

/// <summary>Training data in model space (images scaled to [−1, 1]) with optional labels, and what describes it.</summary>
public sealed record DiffusionData(TensorDataset Set, long[] SampleShape, bool Images, IReadOnlyList<string> ClassNames,
    string Name, DataProvenance Provenance)
{
    /// <summary>The vectors' overall (min, max) in data space; null for images.</summary>
    public (double Low, double High)? Range { get; init; }

    /// <summary>
    /// Loads <c>fashion-mnist</c> (train split; labels when <paramref name="conditional"/>), a toy 2-D set by name
    /// (<paramref name="points"/> points from <paramref name="seed"/>), or a numeric CSV (one vector per row); see
    /// <see cref="TrainingData.Load"/>. <paramref name="classes"/> keeps only those Fashion-MNIST classes (with their
    /// original labels); <paramref name="allowPngFolder"/> accepts a folder of PNG images.
    /// </summary>
    public static DiffusionData Load(string spec, bool conditional, int points, long seed, IReadOnlyList<int>? classes = null,
        bool allowPngFolder = false)
    {
        if (conditional && !TrainingData.IsFashionMnist(spec))
            throw LoomUsageException.ForOption("Conditional", $"'{spec}' has no class labels (only fashion-mnist has)");
        // The loaded record is ours alone: its images are mapped to model space in place and the set views its tensors.
        var data = TrainingData.Load(spec, new DataLoadOptions
        {
            Points = points, Seed = seed, Classes = classes, AllowPngFolder = allowPngFolder,
        });
        if (data.Images)
            data.Examples.mul_(2).sub_(1);
        if (!conditional)
            data.Labels?.Dispose();
        return new DiffusionData(data.ToDataset(conditional), data.SampleShape, data.Images, conditional ? data.ClassNames
            : [], data.Name, data.Provenance)
        {
            Range = data.Range,
        };
    }
}
