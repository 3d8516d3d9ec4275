using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Evaluation.Reference;

/// <summary>
/// Loom's reference network for Fashion-MNIST: a small CNN (three 3×3 conv blocks with batch norm, two 2×2 max-pools,
/// a 128-unit penultimate layer, a 10-way head). Its penultimate activations are the feature space of FID-FMNIST,
/// KID-FMNIST and the k-NN metrics; its softmax gives the classifier score and class accuracy of conditional samples.
/// Input: float images [n,1,28,28] in [0,1] (normalized inside by the training set's mean and std).
/// </summary>
public sealed class FashionMnistClassifierNet : nn.Module<Tensor, Tensor>
{
    /// <summary>Width of the penultimate feature vector.</summary>
    public const int FeatureDim = 128;

    /// <summary>Fashion-MNIST training-set pixel mean and standard deviation (of intensities in [0,1]).</summary>
    public const double PixelMean = 0.2860, PixelStd = 0.3530;

    private readonly Conv2d conv1, conv2, conv3;
    private readonly BatchNorm2d bn1, bn2, bn3;
    private readonly Linear fc1, fc2;
    private readonly Dropout dropout;

    public FashionMnistClassifierNet(double dropoutRate = 0.3) : base("fmnist_classifier")
    {
        conv1 = nn.Conv2d(1, 32, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(32);
        conv2 = nn.Conv2d(32, 64, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(64);
        conv3 = nn.Conv2d(64, 64, 3, padding: 1, bias: false);
        bn3 = nn.BatchNorm2d(64);
        fc1 = nn.Linear(64 * 7 * 7, FeatureDim);
        fc2 = nn.Linear(FeatureDim, 10);
        dropout = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    /// <summary>Penultimate features [n,128] (after ReLU) of images [n,1,28,28] in [0,1].</summary>
    public Tensor Features(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var x = (images - PixelMean) / PixelStd;
        x = nn.functional.max_pool2d(nn.functional.relu(bn1.forward(conv1.forward(x))), 2);
        x = nn.functional.max_pool2d(nn.functional.relu(bn2.forward(conv2.forward(x))), 2);
        x = nn.functional.relu(bn3.forward(conv3.forward(x)));
        return nn.functional.relu(fc1.forward(x.flatten(1))).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits [n,10] from penultimate features.</summary>
    public Tensor Head(Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        return fc2.forward(dropout.forward(features)).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits [n,10] of images [n,1,28,28] in [0,1].</summary>
    public override Tensor forward(Tensor images)
    {
        using var features = Features(images);
        return Head(features);
    }
}
