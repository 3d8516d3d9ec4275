using Loom.Core;
using Loom.Evaluation.Distribution;
using Loom.Evaluation.Memorization;
using Loom.Evaluation.Reference;
using Loom.IO.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Suite;

/// <summary>
/// Sample-quality, diversity and memorization metrics of generated Fashion-MNIST-sized images in the reference
/// network's feature space: FID/KID/IS-FMNIST, precision/recall, density/coverage, nearest-training-neighbour
/// distances and MiFID, plus a sample grid and the closest sample/training pairs as PNGs.
/// </summary>
public sealed class ImageEvaluator(ReferenceClassifier network, FeatureCache cache, EvaluationOptions options)
{
    private Tensor? referenceFeatures, trainingFeatures;

    /// <summary>Features of the real data (cached on disk, kept in memory across several evaluated sources).</summary>
    private (Tensor Reference, Tensor? Training) RealFeatures(ImageEvaluationData data, IProgress<string>? progress)
    {
        referenceFeatures ??= cache.GetOrCompute(network.Identity, data.ReferenceIdentity, () =>
        {
            progress?.Report($"features of {data.Reference.shape[0]} reference images");
            return network.Extract(data.Reference);
        });
        if (data.Training is not null && data.TrainingIdentity is not null)
            trainingFeatures ??= cache.GetOrCompute(network.Identity, data.TrainingIdentity, () =>
            {
                progress?.Report($"features of {data.Training.shape[0]} training images");
                return network.Extract(data.Training);
            });
        return (referenceFeatures, trainingFeatures);
    }

    /// <param name="labels">Requested class per sample (conditional models): adds <c>class_accuracy</c>, the share the reference network
    /// assigns to it.</param>
    public void Evaluate(Tensor samples, ImageEvaluationData data, EvaluationResult result, string outDir,
        IProgress<string>? progress = null, Tensor? labels = null)
    {
        ImageChecks.RequireFashionMnistShape(samples);
        // Real features outlive this call (several sources share them), so they are made before the scope opens.
        var (real, train) = RealFeatures(data, progress);
        using var scope = torch.NewDisposeScope();
        var images = samples.to(ScalarType.Float32, CPU).reshape(-1, 1, 28, 28);
        double lo = images.min().ToDouble(), hi = images.max().ToDouble();
        if (!double.IsFinite(lo) || !double.IsFinite(hi))
            throw new LoomDataException($"{result.Name}: samples contain NaN or infinity");
        if (lo < -1e-3 || hi > 1 + 1e-3)
            throw new LoomDataException($"{result.Name}: sample pixels span [{lo:G4}, {hi:G4}]; images must be intensities in [0,1]");
        images = images.clamp(0, 1);
        progress?.Report($"{result.Name}: features of {images.shape[0]} samples");
        var fake = network.Extract(images);
        result.SampleCount = images.shape[0];
        result.ReferenceCount = real.shape[0];
        result.FeatureSpace = $"{network.Identity} penultimate ({network.FeatureDim}-d)";

        var fid = FrechetDistance.Compute(real, fake);
        result.Add("fid_fmnist", fid.Value);
        if (fid.ClampedEigenvalues > 0)
            result.Notes.Add($"Fréchet distance: {fid.ClampedEigenvalues} slightly negative eigenvalues (min "
                + $"{fid.MostNegativeEigenvalue:G3}) clamped to 0");
        var kid = KernelInceptionDistance.Subsets(real, fake, options.KidSubsets, options.KidSubsetSize, options.Seed);
        result.Add("kid_fmnist", kid.Mean, kid.Std);
        var logits = network.LogitsFromFeatures(fake);
        var score = ClassifierScore.FromLogits(logits, (int)Math.Min(options.ScoreSplits, images.shape[0]));
        result.Add("is_fmnist", score.Mean, score.Std);
        if (labels is not null)
            result.Add("class_accuracy", ClassifierScore.ConditionalAccuracy(logits, labels));

        // k-NN manifolds compare equally sized sets (Kynkäänniemi et al.): a seeded subset of the reference.
        var realSubset = SeededSubset(real, fake.shape[0], options.Seed);
        var manifold = ManifoldMetrics.Compute(realSubset, fake, options.KPrecisionRecall, options.KDensityCoverage);
        result.Add("precision", manifold.Precision);
        result.Add("recall", manifold.Recall);
        result.Add("density", manifold.Density);
        result.Add("coverage", manifold.Coverage);

        SampleGrid.Write(Path.Combine(outDir, FileSafe(result.Name) + "-samples.png"),
            images[..(int)Math.Min(64, images.shape[0])], columns: 8);
        result.Figures.Add(
            new ReportFigure(FileSafe(result.Name) + "-samples.png", $"{result.Name}: first {Math.Min(64, images.shape[0])} samples"));
        if (train is null || data.Training is null)
        {
            result.Notes.Add("memorization: no training images, so nearest-neighbour distances were skipped");
            return;
        }
        var proximity = TrainingSetProximity.Compute(fake, train, SeededSubset(real, fake.shape[0], options.Seed + 1));
        MemorizationReport.AddProximity(result, proximity);
        double memorization = MiFid.MemorizationDistance(fake, train);
        var mifid = MiFid.Compute(fid.Value, memorization);
        result.Add("memorization_distance", memorization);
        result.Add("mifid_fmnist", mifid.MiFid);

        var pairs = proximity.ClosestPairs(options.NeighbourPairs);
        var top = torch.stack(pairs.Select(p => images[p.Sample]).ToList());
        var bottom = torch.stack(pairs.Select(p => data.Training[p.Training]).ToList());
        var name = FileSafe(result.Name) + "-neighbours.png";
        SampleGrid.Write(Path.Combine(outDir, name), torch.cat([top, bottom], 0), columns: pairs.Count);
        result.Figures.Add(new ReportFigure(name, $"{result.Name}: the {pairs.Count} samples closest to the training set (top) and their "
            + $"nearest training images (bottom), distances {string.Join(", ", pairs.Select(p => p.Distance.ToString("F2")))}"));
    }

    /// <summary>At most <paramref name="count"/> rows of <paramref name="x"/>, chosen by a seeded permutation.</summary>
    public static Tensor SeededSubset(Tensor x, long count, long seed)
    {
        if (count >= x.shape[0])
            return x;
        using var g = Seeding.Generator(seed, "reference-subset");
        return x.index_select(0, torch.randperm(x.shape[0], generator: g)[..(int)count]);
    }

    public static string FileSafe(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
