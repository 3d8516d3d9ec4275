using Loom.Data;
using Loom.Tests.Support;

namespace Loom.Tests.Data;

/// <summary>Data search paths confined to a temp folder.</summary>
internal static class TempFolderSearchPaths
{
    /// <summary>LOOM_DATA = Path/data, cache = Path/cache, no bundled folders; system folders only when asked.</summary>
    public static DataSearchPaths SearchPaths(this TempFolder folder, bool system = false) =>
        new(System.IO.Path.Combine(folder.Path, "data"), System.IO.Path.Combine(folder.Path, "cache"), Array.Empty<string>(), system);
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
