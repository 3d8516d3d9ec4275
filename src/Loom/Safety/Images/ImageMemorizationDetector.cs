using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Distribution;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Safety.Images;

/// <summary>
/// Flags generated images that are near-copies of a training image, naming it: the nearest training image in pixel
/// space (exact search) and its RMS distance, against a threshold that is fixed or calibrated on how close distinct
/// training images sit to each other (<see cref="ImageMemorizationOptions"/>). Owns a float32 copy of the training
/// images; not thread-safe (TorchSharp work belongs on one thread).
/// </summary>
public sealed class ImageMemorizationDetector : IDisposable
{
    private readonly Tensor training;
    private readonly long[] imageShape;
    private readonly ImageMemorizationOptions options;
    private readonly IReadOnlyList<string>? names;

    /// <param name="trainingImages">The training images [n, C, H, W] in [0, 1].</param>
    /// <param name="options">The threshold, action and how reports name the training set.</param>
    /// <param name="trainingNames">What each training image is called (e.g. its file name), in order; null: its index only.</param>
    public ImageMemorizationDetector(Tensor trainingImages, ImageMemorizationOptions? options = null,
        IReadOnlyList<string>? trainingNames = null)
    {
        this.options = options ?? new ImageMemorizationOptions();
        this.options.Validate();
        if (trainingImages.dim() != 4 || trainingImages.shape[0] < 2)
            throw LoomDataException.ForOption("TrainingImages",
                $"{Source}: expected at least 2 images [n, C, H, W], got [{string.Join(", ", trainingImages.shape)}]");
        if (trainingNames is not null && trainingNames.Count != trainingImages.shape[0])
            throw new ArgumentException($"{trainingNames.Count} names for {trainingImages.shape[0]} images", nameof(trainingNames));
        names = trainingNames;
        imageShape = trainingImages.shape[1..];
        using (var scope = torch.NewDisposeScope())
            training = trainingImages.detach().to(ScalarType.Float32, CPU).reshape(trainingImages.shape[0], -1)
                .MoveToOuterDisposeScope();
        Threshold = this.options.Threshold ?? Calibrate();
    }

    /// <summary>
    /// A detector over the images of <paramref name="data"/>: <c>fashion-mnist</c> (its training split) or a folder of PNG
    /// images. Reports name the images by their index in that order (and a folder's by file name too).
    /// </summary>
    public static ImageMemorizationDetector Load(string data, ImageMemorizationOptions? options = null)
    {
        using var images = TrainingData.Load(data, new DataLoadOptions { AllowPngFolder = true });
        if (!images.Images)
            throw LoomUsageException.ForOption("TrainingImages",
                $"{data} holds vectors, not images; give fashion-mnist or a folder of PNGs");
        var named = options ?? new ImageMemorizationOptions();
        // The order PngFolder reads a folder in.
        var files = Directory.Exists(data)
            ? Directory.GetFiles(data, "*.png").Order(StringComparer.Ordinal).Select(f => Path.GetFileName(f)).ToList() : null;
        var source = named.Source is null ? named with { Source = images.Name } : named;
        return new ImageMemorizationDetector(images.Examples, source, files);
    }

    /// <summary>The RMS pixel distance at or below which an image is flagged.</summary>
    public double Threshold { get; }

    /// <summary>How reports name the training images.</summary>
    public string Source => options.Source ?? "training images";

    /// <summary>What happens to flagged images.</summary>
    public ModerationAction Action => options.Action;

    /// <summary>True when the training images have <paramref name="shape"/>, so a model making such images can be checked.</summary>
    public bool Covers(Models.ImageShape shape) => imageShape.SequenceEqual([shape.Channels, shape.Height, shape.Width]);

    /// <summary>How many training images are searched.</summary>
    public long TrainingCount => training.shape[0];

    /// <summary>The nearest training image of each of <paramref name="images"/> ([n, C, H, W]) and its RMS distance.</summary>
    public (long[] Neighbours, double[] Distances) Nearest(Tensor images)
    {
        if (images.dim() != 4 || !images.shape[1..].SequenceEqual(imageShape))
            throw LoomUsageException.ForOption("TrainingImages", $"{Source} holds images of [{string.Join(", ", imageShape)}] "
                + $"but the model makes [{string.Join(", ", images.shape.Skip(1))}]");
        using var scope = torch.NewDisposeScope();
        var query = images.detach().to(ScalarType.Float32, CPU).reshape(images.shape[0], -1);
        var (d, idx) = NearestNeighbours.Nearest(query, training, ScalarType.Float32);
        double perPixel = Math.Sqrt(query.shape[1]);
        return (idx.data<long>().ToArray(), d.data<float>().Select(x => x / perPixel).ToArray());
    }

    /// <summary>One flag per image of <paramref name="images"/> that is a near-copy of a training image.</summary>
    public IReadOnlyList<ImageMemorizationFlag> Detect(Tensor images)
    {
        var (neighbours, distances) = Nearest(images);
        var flags = new List<ImageMemorizationFlag>();
        for (int i = 0; i < distances.Length; i++)
        {
            if (distances[i] > Threshold)
                continue;
            double score = Threshold > 0 ? 1 - 0.5 * distances[i] / Threshold : 1;
            flags.Add(new ImageMemorizationFlag(i, neighbours[i], distances[i], Threshold, score, Source)
            {
                TrainingName = names?[(int)neighbours[i]],
            });
        }
        return flags;
    }

    /// <summary>The calibrated threshold: a share of a low quantile of training images' distances to their nearest other
    /// training image (a seeded subset, searched against the rest).</summary>
    private double Calibrate()
    {
        using var scope = torch.NewDisposeScope();
        long n = training.shape[0];
        long m = Math.Min(options.CalibrationImages, n / 2);
        using var generator = Seeding.Generator(options.Seed, "image-memorization-calibration");
        var order = torch.randperm(n, generator: generator);
        var (d, _) = NearestNeighbours.Nearest(training.index_select(0, order[..(int)m]), training.index_select(0, order[(int)m..]),
            ScalarType.Float32);
        var sorted = d.data<float>().Select(x => (double)x).Order().ToArray();
        double quantile = sorted[(int)Math.Floor(options.CalibrationQuantile * (sorted.Length - 1))];
        return options.CalibrationFactor * quantile / Math.Sqrt(training.shape[1]);
    }

    public void Dispose() => training.Dispose();
}
