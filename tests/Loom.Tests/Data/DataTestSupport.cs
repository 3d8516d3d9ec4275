using Loom.Data;

namespace Loom.Tests.Data;

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "loom-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Search paths confined to this folder: LOOM_DATA = Path/data, cache = Path/cache, no shared or system folders.</summary>
    public DataSearchPaths SearchPaths(bool system = false) =>
        new(System.IO.Path.Combine(Path, "data"), System.IO.Path.Combine(Path, "cache"), Array.Empty<string>(), system);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>A fact that runs only when the Fashion-MNIST files are installed (CI installs dataset-fashion-mnist).</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (FashionMnist.FindFolder() is null)
            Skip = "Fashion-MNIST files not found (sudo apt-get install dataset-fashion-mnist)";
    }
}

/// <summary>A fact that runs only when Debian's bible-kjv and bible-kjv-text are installed.</summary>
public sealed class KjvPackageFactAttribute : FactAttribute
{
    public KjvPackageFactAttribute()
    {
        if (!KjvText.PackageInstalled())
            Skip = "KJV package not installed (sudo apt-get install bible-kjv bible-kjv-text)";
    }
}
