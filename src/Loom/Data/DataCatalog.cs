using Loom.Core;

namespace Loom.Data;

/// <summary>A concrete data source a <c>--data</c> value resolved to.</summary>
/// <param name="Spec">What the user wrote.</param>
/// <param name="Name">The catalog name, or null for a plain file path.</param>
/// <param name="Kind">What the data holds.</param>
/// <param name="Files">Full paths of the files, in catalog order (empty for generated data).</param>
/// <param name="Folder">The folder the files were found in (null for generated data).</param>
public sealed record DataSource(string Spec, string? Name, DatasetKind Kind, IReadOnlyList<string> Files, string? Folder)
{
    /// <summary>True for toy data sets: call <see cref="ToyData.Generate"/> with <see cref="Name"/>.</summary>
    public bool Generated => Kind == DatasetKind.Toy;

    /// <summary>The single file of a one-file source (a text corpus, a CSV).</summary>
    public string Path => Files.Count == 1
        ? Files[0]
        : throw LoomDataException.ForOption("Data", $"{Spec} has {Files.Count} files, not one");
}

/// <summary>
/// The data sets Loom knows by name (text corpora, Fashion-MNIST, toy 2-D sets) with their canonical URLs, SHA-256
/// checksums, install hints and licenses, and the resolution of a user's <c>--data</c> value into files on disk.
/// </summary>
public static class DataCatalog
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the four .gz files.</summary>
    public const string DebianFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    private const string FashionMnistRaw = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/";
    private const string DebianRepack = "Debian dataset-fashion-mnist copy (re-gzipped)";

    /// <summary>All catalogued data sets.</summary>
    public static IReadOnlyList<DatasetEntry> Entries { get; } = BuildEntries();

    /// <summary>The entry called <paramref name="name"/> (case-insensitive; toy aliases such as <c>two-moons</c> work), or null.</summary>
    public static DatasetEntry? Find(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        if (ToyData.TryCanonicalName(key, out var toy))
            key = toy;
        return Entries.FirstOrDefault(e => e.Name == key);
    }

    /// <summary>The entry called <paramref name="name"/>, or a usage error listing the known names.</summary>
    public static DatasetEntry Get(string name) =>
        Find(name)
            ?? throw new LoomUsageException($"'{name}' is not a known data set; known: {string.Join(", ", Entries.Select(e => e.Name))}");

    /// <summary>
    /// Turns a <c>--data</c> value into a source: an existing file; a folder holding a catalogued set's files; a
    /// catalog name found locally (see <see cref="DataSearchPaths"/>), or a toy set. When a named set is not on this
    /// machine the error says exactly what to run. The KJV text is extracted from the Debian <c>bible-kjv</c>
    /// package into the cache on first use.
    /// </summary>
    public static DataSource Resolve(string spec, DataSearchPaths? paths = null)
    {
        var text = spec?.Trim() ?? "";
        if (text.Length == 0)
            throw LoomUsageException.ForOption("Data", "no value given; pass a file path or a data set name");
        if (File.Exists(text))
        {
            var full = System.IO.Path.GetFullPath(text);
            return new DataSource(spec!, null, KindOfFile(full), new[] { full }, System.IO.Path.GetDirectoryName(full));
        }
        if (Directory.Exists(text))
        {
            foreach (var candidate in Entries.Where(e => e.Files.Count > 0))
                if (FilesIn(candidate, text) is { } inFolder)
                    return new DataSource(spec!, candidate.Name, candidate.Kind, inFolder, System.IO.Path.GetFullPath(text));
            throw LoomDataException.ForOption("Data", $"{text} is a folder without the files of a known data set; pass a file");
        }
        var entry = Find(text);
        if (entry is null)
        {
            if (text.IndexOfAny(new[] { '/', '\\', '.' }) >= 0)
                throw LoomDataException.ForOption("Data", $"{text}: no such file");
            throw LoomDataException.ForOption("Data",
                $"{text}: no such file or data set; known data sets: {string.Join(", ", Entries.Select(e => e.Name))}");
        }
        if (entry.Generated)
            return new DataSource(spec!, entry.Name, entry.Kind, Array.Empty<string>(), null);
        paths ??= DataSearchPaths.Default();
        if (LocateOrFetch(entry, paths) is { } found)
            return new DataSource(spec!, entry.Name, entry.Kind, found.Files, found.Folder);
        if (entry.Name == KjvText.Name && KjvText.PackageInstalled())
        {
            var file = KjvText.ExtractTo(paths.CacheFolder(entry.Name));
            return new DataSource(spec!, entry.Name, entry.Kind, new[] { file }, System.IO.Path.GetDirectoryName(file));
        }
        if (Tables.TableDatasets.Find(entry.Name) is { } table)
        {
            var files = Tables.TableDatasets.WriteTo(table, paths.CacheFolder(entry.Name));
            return new DataSource(spec!, entry.Name, entry.Kind, files, System.IO.Path.GetDirectoryName(files[0]));
        }
        if (entry.Name == Audio.SpokenDigits.Name && Audio.SpokenDigits.FindProgram() is not null)
        {
            var index = Audio.SpokenDigits.WriteTo(paths.CacheFolder(entry.Name));
            return new DataSource(spec!, entry.Name, entry.Kind, new[] { index }, System.IO.Path.GetDirectoryName(index));
        }
        throw LoomDataException.ForOption("Data", $"{entry.Name}: not found on this machine; {HowToGet(entry)}");
    }

    /// <summary>What a user should run to get <paramref name="entry"/>, as one clause.</summary>
    public static string HowToGet(DatasetEntry entry)
    {
        if (entry.Downloadable)
            return entry.InstallHint is null
                ? $"run 'loom data get {entry.Name}'"
                : $"run 'loom data get {entry.Name}' or '{entry.InstallHint}'";
        return entry.InstallHint is null
            ? $"put its files into {DataSearchPaths.DefaultCache()}/{entry.Name}/"
            : $"install it with '{entry.InstallHint}'";
    }

    /// <summary>The first searched folder that holds all files of <paramref name="entry"/>, or null.</summary>
    public static (string Folder, IReadOnlyList<string> Files)? Locate(DatasetEntry entry, DataSearchPaths paths)
    {
        foreach (var folder in paths.FoldersFor(entry.Name, entry.SystemFolders))
            if (FilesIn(entry, folder) is { } files)
                return (folder, files);
        return null;
    }

    /// <summary>
    /// <see cref="Locate"/>, and when the set is on no searched folder, downloadable and <see cref="DataSearchPaths.FetchMissing"/>
    /// is set, a checksum-verified download into the cache. Null when not found and not fetched; a failed download
    /// throws <see cref="LoomDataException"/> saying the set is missing, why the download failed and what to do instead.
    /// </summary>
    public static (string Folder, IReadOnlyList<string> Files)? LocateOrFetch(DatasetEntry entry, DataSearchPaths paths)
    {
        var found = Locate(entry, paths);
        if (found is not null || !paths.FetchMissing || !entry.Downloadable)
            return found;
        try
        {
            DataDownloader.Get(entry, paths.CacheFolder(entry.Name), paths.Http, paths.DownloadProgress);
        }
        catch (LoomDataException e)
        {
            throw LoomDataException.ForOption("Data", $"{entry.Name}: not found on this machine and the download failed: {e.Message}", e);
        }
        return Locate(entry, paths);
    }

    /// <summary>What is known and found about a data set: files, sizes, location and checksum status.</summary>
    public static DataSetInfo Info(string name, DataSearchPaths? paths = null)
    {
        var entry = Get(name);
        paths ??= DataSearchPaths.Default();
        var searched = entry.Generated ? Array.Empty<string>() : paths.FoldersFor(entry.Name, entry.SystemFolders);
        var found = entry.Generated ? null : Locate(entry, paths);
        var files = new List<DataFileInfo>();
        for (int i = 0; i < entry.Files.Count; i++)
        {
            var spec = entry.Files[i];
            if (found is null)
            {
                files.Add(new DataFileInfo(spec, null, null, null, ChecksumStatus.Missing, null));
                continue;
            }
            var path = found.Value.Files[i];
            var actual = Checksums.Sha256OfFile(path);
            var (status, note) = Checksums.Judge(spec, actual);
            files.Add(new DataFileInfo(spec, path, new FileInfo(path).Length, actual, status, note));
        }
        return new DataSetInfo(entry, found?.Folder, searched, files);
    }

    private static IReadOnlyList<string>? FilesIn(DatasetEntry entry, string folder)
    {
        if (!Directory.Exists(folder))
            return null;
        var files = new List<string>();
        foreach (var spec in entry.Files)
        {
            var hit = spec.LocalNames.Select(n => System.IO.Path.Combine(folder, n)).FirstOrDefault(File.Exists);
            if (hit is null)
                return null;
            files.Add(System.IO.Path.GetFullPath(hit));
        }
        return files;
    }

    private static DatasetKind KindOfFile(string path)
    {
        var name = System.IO.Path.GetFileName(path).ToLowerInvariant();
        if (name.EndsWith(".csv") || name.EndsWith(".parquet"))
            return DatasetKind.Table;
        if (name.Contains("-ubyte") || name.EndsWith(".idx") || name.EndsWith(".gz"))
            return DatasetKind.Images;
        return DatasetKind.Text;
    }

    private static IReadOnlyList<DatasetEntry> BuildEntries()
    {
        var entries = new List<DatasetEntry>
        {
            new("tinyshakespeare", "Tiny Shakespeare: 1.1 MB of Shakespeare plays, Karpathy's char-rnn corpus", DatasetKind.Text,
                new[]
                {
                    new DataFileSpec("tinyshakespeare.txt",
                        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
                        "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed", 1115394, Aliases: new[] { "input.txt" }),
                },
                Array.Empty<string>(), null, "Shakespeare's works are public domain; compilation from karpathy/char-rnn (MIT)"),
            new("names", "32k English first names, one per line (Karpathy's makemore)", DatasetKind.Text,
                new[]
                {
                    new DataFileSpec("names.txt", "https://raw.githubusercontent.com/karpathy/makemore/master/names.txt",
                        "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d", 228145),
                },
                Array.Empty<string>(), null, "From karpathy/makemore (MIT); names from public US SSA data"),
            new("fashion-mnist", "Fashion-MNIST: 70k 28x28 grayscale Zalando article images in 10 classes", DatasetKind.Images,
                new[]
                {
                    // SHA-256 of the upstream .gz files (sizes and MD5s as in the Fashion-MNIST README). Debian's package
                    // re-gzipped them (its .gz MD5s differ from the README's), so its .gz checksums and the checksums of
                    // the decompressed IDX files (computed from the Debian copies) are accepted as alternates.
                    FashionFile("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 26421880,
                        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
                    FashionFile("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 29515,
                        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
                        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
                    FashionFile("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 4422102,
                        "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
                        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
                    FashionFile("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 5148,
                        "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
                        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
                },
                new[] { DebianFashionMnistFolder }, "sudo apt-get install dataset-fashion-mnist",
                "MIT, Copyright (c) 2017 Zalando SE (https://github.com/zalandoresearch/fashion-mnist)"),
            new(KjvText.Name, "King James Bible (1611), 4.3 MB of text extracted from Debian's bible-kjv package", DatasetKind.Text,
                new[]
                {
                    // Local only: no byte-stable canonical download. The checksum is that of the text Loom extracts with
                    // 'bible -l 79 Gen1:1-Rev22:21' from bible-kjv/bible-kjv-text 4.38 (Debian 12).
                    new DataFileSpec(KjvText.FileName, null, "82fa5f3788c6a9a010fb128a0f0bf588984b5888a82058520620eded59b033ea", 4298239),
                },
                Array.Empty<string>(), "sudo apt-get install bible-kjv bible-kjv-text",
                "Public domain text (Crown copyright in the UK); Debian bible-kjv package"),
        };
        foreach (var table in Tables.TableDatasets.All)
            entries.Add(new DatasetEntry(table.Name, table.Description, DatasetKind.Table, Tables.TableDatasets.Files(table.Name),
                Array.Empty<string>(), $"sudo apt-get install {table.Package}", table.License));
        entries.Add(new DatasetEntry(Audio.SpokenDigits.Name,
            "The digit words zero..nine spoken by 48 espeak-ng speaker settings, 8 kHz 16-bit WAVs, split by speaker", DatasetKind.Audio,
            [new DataFileSpec(Audio.SpokenDigits.IndexFile, null, null)], Array.Empty<string>(),
            $"sudo apt-get install {Audio.SpokenDigits.Package}",
            "Synthesized by Loom with espeak-ng (GPL-3.0 program; output unrestricted)"));
        foreach (var toy in ToyData.Names)
            entries.Add(new DatasetEntry(toy, ToyData.Describe(toy), DatasetKind.Toy, Array.Empty<DataFileSpec>(),
                Array.Empty<string>(), null, "Generated by Loom (no license restrictions)"));
        return entries;
    }

    private static DataFileSpec FashionFile(string name, string sha256, long size, string debianSha256, string idxSha256) =>
        new(name, FashionMnistRaw + name, sha256, size,
            new Dictionary<string, string> { [debianSha256] = DebianRepack, [idxSha256] = "decompressed IDX file" },
            new[] { name[..^3] });
}
