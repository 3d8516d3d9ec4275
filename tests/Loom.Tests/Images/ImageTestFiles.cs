namespace Loom.Tests.Images;

/// <summary>Exact tensor comparison for tests: same shape, dtype and every element equal.</summary>
internal static class TensorCompare
{
    public static bool Identical(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape))
            return false;
        using var scope = TorchSharp.torch.NewDisposeScope();
        return a.eq(b).all().item<bool>();
    }
}
