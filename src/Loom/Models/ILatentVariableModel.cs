using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// A model that generates by decoding a latent vector (VAE, GAN, VQ-VAE with its prior excluded): what
/// <c>loom interpolate</c> and latent traversals need. Latents are <c>[n, LatentDim]</c> float32 with a standard-normal
/// prior; decoded samples are in data space (images in [0, 1], vectors in data units), on the CPU.
/// </summary>
public interface ILatentVariableModel : IConditionalModel
{
    int LatentDim { get; }

    /// <summary>Decodes latents <c>[n, LatentDim]</c>; <paramref name="labels"/> is <c>[n]</c> int64 for conditional models, else
    /// null.</summary>
    Tensor Decode(Tensor latents, Tensor? labels = null);
}

/// <summary>
/// A model that can generate a requested class (<see cref="SampleRequest.Class"/>). <see cref="IGenerativeModel.Sample"/>
/// without a class spreads the samples evenly over the classes and returns the labels with the samples.
/// </summary>
public interface IConditionalModel
{
    /// <summary>Number of classes the model conditions on (0 = unconditional).</summary>
    int NumClasses { get; }

    /// <summary>What each class index names (the data set's class names where the model recorded them).</summary>
    IReadOnlyList<string> ClassNames =>
        Enumerable.Range(0, NumClasses).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
