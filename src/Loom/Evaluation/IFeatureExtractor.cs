using static TorchSharp.torch;

namespace Loom.Evaluation;

/// <summary>
/// Maps samples to feature vectors for the distribution metrics (Fréchet distance, KID, precision/recall,
/// density/coverage, nearest-neighbour memorization). Its <see cref="Identity"/> goes into every report next to the
/// numbers, because a Fréchet distance means nothing without the feature space it was computed in.
/// </summary>
public interface IFeatureExtractor
{
    /// <summary>Names the extractor and its weights, e.g. <c>loom-fmnist-cnn-v1@sha256:1a2b…</c>.</summary>
    string Identity { get; }

    /// <summary>Length of each feature vector.</summary>
    int FeatureDim { get; }

    /// <summary>Features [n, FeatureDim] as float64 on the CPU; the input stays untouched.</summary>
    Tensor Extract(Tensor samples, IProgress<long>? progress = null);
}

/// <summary>A classifier whose softmax gives the Inception-Score-style classifier score and the class accuracy of conditional
/// samples.</summary>
public interface ISampleClassifier
{
    /// <summary>Names the classifier and its weights.</summary>
    string Identity { get; }

    /// <summary>Number of classes.</summary>
    int ClassCount { get; }

    /// <summary>Class logits [n, ClassCount] as float64 on the CPU.</summary>
    Tensor Logits(Tensor samples, IProgress<long>? progress = null);
}

/// <summary>Uses the samples themselves (flattened to [n, d] float64) as features: the feature space for low-dimensional data.</summary>
public sealed class IdentityFeatures(int dim) : IFeatureExtractor
{
    public string Identity => "identity";
    public int FeatureDim => dim;

    public Tensor Extract(Tensor samples, IProgress<long>? progress = null)
    {
        var flat = samples.reshape(samples.shape[0], -1);
        if (flat.shape[1] != dim)
            throw new Core.LoomDataException($"samples have {flat.shape[1]} values each but the data has {dim}");
        return flat.to(ScalarType.Float64, CPU).detach().clone();
    }
}
