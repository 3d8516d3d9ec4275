using Loom.Tests.Support;
using Loom.Core;
using Loom.Data;

namespace Loom.Tests.Data;

public class DataCatalogTests
{
    private static string BundledData() => Path.Combine(RepoPaths.Root, "data");

    [Fact]
    public void CatalogHasTheExpectedEntriesWithChecksumsForEveryUrl()
    {
        foreach (var name in new[]
        {
            "tinyshakespeare", "names", "fashion-mnist", "kjv", "moons", "circles", "8gaussians", "swissroll", "checkerboard", "pinwheel"
        })
            Assert.NotNull(DataCatalog.Find(name));
        foreach (var entry in DataCatalog.Entries)
        {
            Assert.False(string.IsNullOrWhiteSpace(entry.Description));
            Assert.False(string.IsNullOrWhiteSpace(entry.License));
            foreach (var file in entry.Files.Where(f => f.Url is not null))
            {
                Assert.StartsWith("https://", file.Url);
                Assert.Matches("^[0-9a-f]{64}$", file.Sha256);
            }
        }
        Assert.Equal(4, DataCatalog.Get("fashion-mnist").Files.Count);
        Assert.False(DataCatalog.Get("kjv").Downloadable);
        Assert.True(DataCatalog.Get("swiss-roll").Generated);
    }

    [Fact]
    public void BundledFilesMatchTheRecordedChecksums()
    {
        var paths = new DataSearchPaths(null, Path.Combine(Path.GetTempPath(), "loom-no-cache-" + Guid.NewGuid().ToString("N")),
            new[] { BundledData() }, false);
        foreach (var name in new[] { "tinyshakespeare", "names" })
        {
            var info = DataCatalog.Info(name, paths);
            Assert.Equal(BundledData(), info.Location);
            var file = Assert.Single(info.Files);
            Assert.Equal(ChecksumStatus.Verified, file.Status);
            Assert.Equal(file.Spec.Size, file.Size);
        }
    }

    [Fact]
    public void ResolvesAnExistingFilePath()
    {
        using var tmp = new TempFolder();
        File.WriteAllText(tmp.File("x.csv"), "1,2\n");
        var source = DataCatalog.Resolve(tmp.File("x.csv"));
        Assert.Null(source.Name);
        Assert.Equal(DatasetKind.Table, source.Kind);
        Assert.Equal(tmp.File("x.csv"), source.Path);
    }

    [Fact]
    public void ResolvesNamesInSearchOrder()
    {
        using var tmp = new TempFolder();
        var paths = tmp.SearchPaths() with { Bundled = new[] { BundledData() } };
        // only the shared checkout copy exists
        Assert.Equal(Path.Combine(BundledData(), "names.txt"), DataCatalog.Resolve("names", paths).Path);
        // the cache wins over the checkout, $LOOM_DATA wins over the cache
        var cache = Directory.CreateDirectory(Path.Combine(paths.Cache, "names")).FullName;
        File.WriteAllText(Path.Combine(cache, "names.txt"), "emma\n");
        Assert.Equal(Path.Combine(cache, "names.txt"), DataCatalog.Resolve("NAMES", paths).Path);
        var loomData = Directory.CreateDirectory(Path.Combine(paths.LoomData!, "names")).FullName;
        File.WriteAllText(Path.Combine(loomData, "names.txt"), "olivia\n");
        Assert.Equal(Path.Combine(loomData, "names.txt"), DataCatalog.Resolve("names", paths).Path);
        // an alias of the upstream file name
        var shakespeare = Directory.CreateDirectory(Path.Combine(paths.Cache, "tinyshakespeare")).FullName;
        File.WriteAllText(Path.Combine(shakespeare, "input.txt"), "First Citizen:\n");
        var info = DataCatalog.Info("tinyshakespeare", tmp.SearchPaths());
        Assert.Equal(ChecksumStatus.Mismatch, Assert.Single(info.Files).Status);
    }

    [Fact]
    public void MissingNamedDataSaysWhatToRun()
    {
        using var tmp = new TempFolder();
        var paths = tmp.SearchPaths();
        var e = Assert.Throws<LoomDataException>(() => DataCatalog.Resolve("tinyshakespeare", paths));
        Assert.Contains("loom data get tinyshakespeare", e.Message);
        var f = Assert.Throws<LoomDataException>(() => DataCatalog.Resolve("fashion-mnist", paths));
        Assert.Contains("loom data get fashion-mnist", f.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", f.Message);
        Assert.DoesNotContain('\n', f.Message);
        var info = DataCatalog.Info("fashion-mnist", paths);
        Assert.False(info.Available);
        Assert.All(info.Files, x => Assert.Equal(ChecksumStatus.Missing, x.Status));
        Assert.Equal(new[] { Path.Combine(paths.LoomData!, "fashion-mnist"), Path.Combine(paths.Cache, "fashion-mnist") }, info.Searched);
    }

    [Fact]
    public void ToyNamesResolveToGeneratedSources()
    {
        var source = DataCatalog.Resolve("two-moons");
        Assert.True(source.Generated);
        Assert.Equal("moons", source.Name);
        Assert.Empty(source.Files);
    }

    [Fact]
    public void UnknownNamesAndPathsAreErrors()
    {
        var e = Assert.Throws<LoomDataException>(() => DataCatalog.Resolve("shakespeare-complete"));
        Assert.Contains("tinyshakespeare", e.Message);
        Assert.Contains("no such file", Assert.Throws<LoomDataException>(() => DataCatalog.Resolve("missing/file.txt")).Message);
        Assert.Throws<LoomUsageException>(() => DataCatalog.Resolve("  "));
        using var tmp = new TempFolder();
        Assert.Contains("is a folder", Assert.Throws<LoomDataException>(() => DataCatalog.Resolve(tmp.Path)).Message);
    }

    [Fact]
    public void AFolderWithFashionFilesResolvesToFashionMnist()
    {
        using var tmp = new TempFolder();
        foreach (var file in DataCatalog.Get("fashion-mnist").Files)
            File.WriteAllBytes(tmp.File(file.FileName), new byte[] { 1 });
        var source = DataCatalog.Resolve(tmp.Path);
        Assert.Equal("fashion-mnist", source.Name);
        Assert.Equal(4, source.Files.Count);
    }

    [KjvPackageFact]
    public void KjvIsExtractedFromTheDebianPackageIntoTheCache()
    {
        using var tmp = new TempFolder();
        var paths = tmp.SearchPaths();
        var source = DataCatalog.Resolve("kjv", paths);
        Assert.Equal(Path.Combine(paths.Cache, "kjv", "kjv.txt"), source.Path);
        var text = TextFile.Read(source.Path);
        Assert.Contains("In the beginning God created the heaven and the earth.", text);
        Assert.EndsWith("The grace of our Lord Jesus Christ be with you all. Amen.\n", text);
        var info = DataCatalog.Info("kjv", paths);
        Assert.Equal(ChecksumStatus.Verified, Assert.Single(info.Files).Status);
    }
}
