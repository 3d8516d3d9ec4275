using Loom.Data;
using Loom.IO;
using static TorchSharp.torch;

namespace Loom.Evaluation.Suite;

/// <summary>
/// Real images to compare generated ones with: the held-out reference set (Fashion-MNIST test split) for the
/// distribution metrics and the training split for the memorization check, each with an identity (file SHA-256) for
/// the feature cache and the report.
/// </summary>
public sealed class ImageEvaluationData : IDisposable
{
    public ImageEvaluationData(string name, Tensor reference, string referenceIdentity, Tensor? training, string? trainingIdentity)
    {
        Name = name;
        Reference = reference;
        ReferenceIdentity = referenceIdentity;
        Training = training;
        TrainingIdentity = trainingIdentity;
    }

    public string Name { get; }
    /// <summary>Held-out real images [n,1,28,28] in [0,1].</summary>
    public Tensor Reference { get; }
    public string ReferenceIdentity { get; }
    /// <summary>Training images, for nearest-neighbour memorization (null when unavailable).</summary>
    public Tensor? Training { get; }
    public string? TrainingIdentity { get; }

    /// <summary>Fashion-MNIST: test split as reference, training split for memorization.</summary>
    public static ImageEvaluationData FashionMnistSplits(string? folder = null)
    {
        using var test = FashionMnist.Load(FashionMnistSplit.Test, folder);
        using var train = FashionMnist.Load(FashionMnistSplit.Train, folder);
        string Identity(FashionMnistSplit split)
        {
            var file = Directory.EnumerateFiles(test.Folder, FashionMnist.FileNames(split).Images[..^3] + "*").First();
            return $"fashion-mnist:{split.ToString().ToLowerInvariant()}@sha256:{FileHash.Sha256(file)}";
        }
        return new ImageEvaluationData(FashionMnist.Name, test.Images.detach().clone(), Identity(FashionMnistSplit.Test),
            train.Images.detach().clone(), Identity(FashionMnistSplit.Train));
    }

    public void Dispose()
    {
        Reference.Dispose();
        Training?.Dispose();
    }
}
