using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Reference;
using Loom.IO.Checkpoints;
using Loom.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Evaluation.Augmentation;

/// <summary>
/// Does class-conditional synthetic data help a small classifier? For each seed the study draws a class-balanced subset of
/// the Fashion-MNIST training images (<see cref="AugmentationStudyOptions.PerClass"/> per class) and a pool of synthetic
/// images from the generator (classes cycled evenly), then trains the reference CNN
/// (<see cref="FashionMnistClassifierTraining"/>, with its flips and shifts) on the real subset plus the first
/// ratio × real synthetic images, for each ratio, and measures its accuracy on the test images. Within a seed every
/// ratio shares the real subset, the synthetic pool's prefix, the initialisation seed, the number of steps and the test
/// images, so the ratios differ only in the synthetic images added.
/// </summary>
public static class AugmentationStudy
{
    /// <summary>Fashion-MNIST's classes.</summary>
    public const int ClassCount = 10;

    /// <summary>
    /// Loads the generator checkpoint and Fashion-MNIST and runs the study on a thread of its own (TorchSharp work stays on
    /// one thread); progress after each classifier.
    /// </summary>
    public static Task<AugmentationResult> RunAsync(AugmentationStudyOptions options, IProgress<AugmentationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var settings = options.Clone();
        return ModelThread.RunAsync(() =>
        {
            if (!Directory.Exists(settings.Generator))
                throw LoomDataException.ForOption(nameof(settings.Generator), $"{settings.Generator}: no such checkpoint folder");
            using var generator = Checkpoint.Load(settings.Generator);
            SyntheticImageSource.For(generator, settings.Temperature);
            using var train = FashionMnist.Load(FashionMnistSplit.Train, settings.DataFolder);
            using var test = FashionMnist.Load(FashionMnistSplit.Test, settings.DataFolder);
            return Run(generator, train, test, settings, progress, cancellation);
        }, "loom augment", cancellation);
    }

    /// <summary>
    /// Runs the study on this thread with a loaded generator and data: <paramref name="train"/> supplies the labelled
    /// subsets, <paramref name="test"/> the accuracy (its first <see cref="AugmentationStudyOptions.TestSize"/> images).
    /// <see cref="AugmentationStudyOptions.Generator"/> only names the generator in the result.
    /// </summary>
    public static AugmentationResult Run(IGenerativeModel generator, FashionMnistData train, FashionMnistData test,
        AugmentationStudyOptions options, IProgress<AugmentationProgress>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var source = SyntheticImageSource.For(generator, options.Temperature);
        int real = options.PerClass * ClassCount;
        int testCount = options.TestSize > 0 ? (int)Math.Min(options.TestSize, test.Count) : (int)test.Count;
        if (testCount == 0) throw LoomDataException.ForOption(nameof(options.TestSize), "the test split has no images");
        using var testImages = test.Images.narrow(0, 0, testCount);
        using var testLabels = test.Labels.narrow(0, 0, testCount);
        var synthetic = options.Ratios.Select(r => (int)Math.Round(r * real)).ToList();
        int pool = synthetic.Max();
        long steps = (long)options.Epochs * (real / options.BatchSize);
        var seeds = Enumerable.Range(0, options.Seeds).Select(i => options.Seed + i).ToList();
        var accuracies = options.Ratios.Select(_ => new List<double>()).ToList();
        int total = seeds.Count * options.Ratios.Count, done = 0;
        long agreeing = 0, judged = 0;
        using var reference = ReferenceOrNull(pool);
        foreach (long seed in seeds)
        {
            progress?.Report(new AugmentationProgress(done, total, $"seed {seed}: {pool} synthetic images"));
            using var subset = BalancedSubset(train, options.PerClass, seed);
            var (images, labels) = source.Generate(pool, seed, cancellation);
            using (images)
            using (labels)
            {
                if (reference is not null && pool > 0)
                {
                    using var scope = torch.NewDisposeScope();
                    agreeing += reference.Logits(images).argmax(1).eq(labels).sum().ToInt64();
                    judged += pool;
                }
                for (int r = 0; r < options.Ratios.Count; r++)
                {
                    progress?.Report(new AugmentationProgress(done, total,
                        $"seed {seed}, ratio {options.Ratios[r]}: training on {real} real + {synthetic[r]} synthetic images"));
                    double accuracy = TrainAndTest(subset, images, labels, synthetic[r], options, seed, steps, testImages, testLabels,
                        cancellation);
                    accuracies[r].Add(accuracy);
                    string percent = (accuracy * 100).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
                    progress?.Report(new AugmentationProgress(++done, total,
                        $"seed {seed}, ratio {options.Ratios[r]}: test accuracy {percent}%"));
                }
            }
        }
        return new AugmentationResult
        {
            Generator = options.Generator, GeneratorKind = generator.Kind, PerClass = options.PerClass, RealImages = real,
            TestImages = testCount, Seeds = seeds, Steps = steps, Epochs = options.Epochs, BatchSize = options.BatchSize,
            LearningRate = options.LearningRate, Temperature = options.Temperature,
            SyntheticClassAccuracy = judged > 0 ? (double)agreeing / judged : null,
            Rows = options.Ratios.Select((ratio, r) => new AugmentationRow(ratio, synthetic[r], accuracies[r])).ToList(),
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    private static double TrainAndTest(FashionMnistData subset, Tensor images, Tensor labels, int synthetic,
        AugmentationStudyOptions options, long seed, long steps, Tensor testImages, Tensor testLabels, CancellationToken cancellation)
    {
        using var scope = torch.NewDisposeScope();
        var mixedImages = synthetic == 0 ? subset.Images : torch.cat([subset.Images, images.narrow(0, 0, synthetic)], 0);
        var mixedLabels = synthetic == 0 ? subset.Labels : torch.cat([subset.Labels, labels.narrow(0, 0, synthetic)], 0);
        var mixed = new FashionMnistData(mixedImages, mixedLabels, subset.Folder);
        var training = new ClassifierTrainingOptions
        {
            Steps = steps, BatchSize = options.BatchSize, LearningRate = options.LearningRate, Seed = seed,
        };
        var (classifier, result) = FashionMnistClassifierTraining.Train(mixed, training, cancellation: cancellation);
        using (classifier)
        {
            cancellation.ThrowIfCancellationRequested();
            if (result.Interrupted)
                throw new OperationCanceledException("the classifier's training was interrupted");
            return classifier.Accuracy(testImages, testLabels);
        }
    }

    /// <summary><paramref name="perClass"/> training images of each class, chosen by <paramref name="seed"/>.</summary>
    internal static FashionMnistData BalancedSubset(FashionMnistData train, int perClass, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = Seeding.Generator(seed, "augment:subset");
        var order = torch.randperm(train.Count, generator: generator);
        var shuffled = train.Labels.index_select(0, order);
        var picks = new List<Tensor>();
        for (int c = 0; c < ClassCount; c++)
        {
            var ofClass = order.masked_select(shuffled.eq(c));
            if (ofClass.shape[0] < perClass)
                throw LoomDataException.ForOption(nameof(AugmentationStudyOptions.PerClass),
                    $"class {c} ({FashionMnist.ClassNames[c]}) has only {ofClass.shape[0]} training images, fewer than {perClass}");
            picks.Add(ofClass.narrow(0, 0, perClass));
        }
        var index = torch.cat(picks, 0);
        return new FashionMnistData(train.Images.index_select(0, index).MoveToOuterDisposeScope(),
            train.Labels.index_select(0, index).MoveToOuterDisposeScope(), train.Folder);
    }

    private static ReferenceClassifier? ReferenceOrNull(int pool)
    {
        if (pool == 0) return null;
        try
        {
            return ReferenceClassifier.LoadBundled();
        }
        catch (LoomDataException)
        {
            return null;
        }
    }
}
