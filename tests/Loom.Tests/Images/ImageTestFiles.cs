namespace Loom.Tests.Images;

/// <summary>A temporary folder for one test, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "loom-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

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
