using Loom.Core;

namespace Loom.Evaluation.Audit;

/// <summary>One class's share of the training data and of the samples (as a reference classifier labels them).</summary>
public sealed record ClassShare(string Class, double TrainingShare, double SampleShare)
{
    /// <summary>SampleShare / TrainingShare: 1 when the generator represents the class as its data did.</summary>
    public double Ratio => TrainingShare > 0 ? SampleShare / TrainingShare : double.PositiveInfinity;
}

/// <summary>
/// How a generator's samples spread over classes compared with its training data: per-class shares, Pearson's χ² of
/// the sample counts against the training shares (with its p-value), and the largest and smallest share ratios.
/// </summary>
public sealed record ClassRepresentation(IReadOnlyList<ClassShare> Classes, long Samples, double ChiSquare, int DegreesOfFreedom,
    double PValue)
{
    public double MaxRatio => Classes.Where(c => c.TrainingShare > 0).Max(c => c.Ratio);
    public double MinRatio => Classes.Where(c => c.TrainingShare > 0).Min(c => c.Ratio);

    /// <summary>Compares predicted sample classes with training labels (both class indices into <paramref name="classNames"/>).</summary>
    public static ClassRepresentation Compare(IReadOnlyList<long> sampleClasses, IReadOnlyList<long> trainingLabels,
        IReadOnlyList<string> classNames)
    {
        if (sampleClasses.Count == 0 || trainingLabels.Count == 0)
            throw new LoomDataException($"class representation needs samples and training labels, got {sampleClasses.Count} and "
                + $"{trainingLabels.Count}");
        var sampleCounts = Count(sampleClasses, classNames.Count, "sample");
        var trainingShares = Count(trainingLabels, classNames.Count, "training").Select(c => c / (double)trainingLabels.Count).ToList();
        var (statistic, df, p) = ChiSquareTest.GoodnessOfFit(sampleCounts, trainingShares);
        var classes = classNames.Select((name, i) => new ClassShare(name, trainingShares[i], sampleCounts[i] / (double)sampleClasses.Count))
            .ToList();
        return new ClassRepresentation(classes, sampleClasses.Count, statistic, df, p);
    }

    private static long[] Count(IReadOnlyList<long> classes, int count, string what)
    {
        var counts = new long[count];
        foreach (var c in classes)
        {
            if (c < 0 || c >= count)
                throw new LoomDataException($"class representation: a {what} class index {c} is outside 0..{count - 1}");
            counts[c]++;
        }
        return counts;
    }
}
