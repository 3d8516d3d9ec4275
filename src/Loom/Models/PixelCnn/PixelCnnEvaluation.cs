using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.PixelCnn;

/// <summary>
/// The held-out metrics a PixelCNN run writes to its card: the exact NLL in nats per image and bits per dimension. On
/// Fashion-MNIST the images are the first <c>count</c> of the test split, binarized (binary head) as the VAE's held-out
/// set is — the whole split once with a generator seeded with the run's seed — so the two families' numbers are on the
/// same binary images; a folder of PNGs has no split, so its first images are scored as <c>train_</c> metrics.
/// </summary>
public static class PixelCnnEvaluation
{
    /// <summary>
    /// <c>test_examples</c>, <c>test_nll</c> (nats per image), <c>test_bits_per_dim</c>; a conditional model also
    /// <c>test_nll_given_class</c> (p(x | y) with the true labels; <c>test_nll</c> is then the class-marginal p(x)).
    /// </summary>
    public static Dictionary<string, double> Evaluate(PixelCnnModel model, TrainingData training, int count, long seed,
        CancellationToken cancellation = default)
    {
        bool fashion = TrainingData.IsFashionMnist(training.Name);
        using var heldOut = fashion ? TrainingData.Load(FashionMnist.Name, new DataLoadOptions { Split = FashionMnistSplit.Test }) : null;
        var source = heldOut ?? training;
        string prefix = fashion ? "test_" : "train_";
        using var scope = torch.NewDisposeScope();
        long n = Math.Min(count, source.Count);
        var pixels = model.Pixels(source.Examples, seed).narrow(0, 0, n);
        var metrics = new Dictionary<string, double> { [prefix + "examples"] = n };
        double nll = model.PixelNll(pixels, null, cancellation).mean().ToDouble();
        metrics[prefix + "nll"] = nll;
        metrics[prefix + "bits_per_dim"] = nll / model.Config.Dimensions / Math.Log(2);
        if (model.NumClasses > 0 && source.Labels is { } labels)
            metrics[prefix + "nll_given_class"] = model.PixelNll(pixels, labels.narrow(0, 0, n), cancellation).mean().ToDouble();
        return metrics;
    }
}
