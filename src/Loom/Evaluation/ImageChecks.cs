using Loom.Core;
using static TorchSharp.torch;

namespace Loom.Evaluation;

/// <summary>Shape checks that turn mismatched image sets into one clear error.</summary>
public static class ImageChecks
{
    /// <summary>Requires a non-empty [n,1,28,28] (or [n,28,28] / [n,784]) batch; names what was given otherwise.</summary>
    public static void RequireFashionMnistShape(Tensor samples)
    {
        if (samples.shape.Length == 0 || samples.shape[0] == 0)
            throw new LoomDataException("the sample set is empty");
        var perSample = samples.shape.Skip(1).ToArray();
        bool ok = perSample switch
        {
            [1, 28, 28] or [28, 28] or [784] => true,
            _ => false,
        };
        if (!ok)
            throw new LoomDataException(
                $"samples have shape [{string.Join("×", perSample)}] per item; the Fashion-MNIST reference network takes 1×28×28 images");
    }

    /// <summary>Requires two sets with the same per-sample shape.</summary>
    public static void RequireSameItemShape(Tensor a, Tensor b, string aName, string bName)
    {
        var sa = a.shape.Skip(1).ToArray();
        var sb = b.shape.Skip(1).ToArray();
        if (!sa.SequenceEqual(sb))
            throw new LoomDataException(
                $"{aName} items are [{string.Join("×", sa)}] but {bName} items are [{string.Join("×", sb)}]; they must match");
    }
}
