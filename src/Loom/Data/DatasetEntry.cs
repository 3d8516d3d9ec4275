namespace Loom.Data;

/// <summary>What a data set holds.</summary>
public enum DatasetKind
{
    /// <summary>Plain UTF-8 text (character or token models).</summary>
    Text,
    /// <summary>Images with labels.</summary>
    Images,
    /// <summary>Generated 2-D point clouds (no files).</summary>
    Toy,
    /// <summary>Numeric tables (CSV).</summary>
    Table,
    /// <summary>Audio clips (16-bit PCM WAVs) listed in an index CSV.</summary>
    Audio,
}

/// <summary>One file of a catalogued data set.</summary>
/// <param name="FileName">The name the file has on disk in a data folder.</param>
/// <param name="Url">Canonical download address, or null for local-only files.</param>
/// <param name="Sha256">SHA-256 (lower-case hex) of the bytes at <paramref name="Url"/> (or of the canonical local file), or null when
/// unknown.</param>
/// <param name="Size">Size in bytes of the canonical file, when known.</param>
/// <param name="AlternateSha256">Other known-good checksums (e.g. a distribution's re-compressed copy), with where they come from.</param>
/// <param name="Aliases">Other names the same file may have locally (e.g. <c>input.txt</c>).</param>
public sealed record DataFileSpec(
    string FileName,
    string? Url,
    string? Sha256,
    long? Size = null,
    IReadOnlyDictionary<string, string>? AlternateSha256 = null,
    IReadOnlyList<string>? Aliases = null)
{
    /// <summary>The file name followed by its aliases.</summary>
    public IEnumerable<string> LocalNames => new[] { FileName }.Concat(Aliases ?? Array.Empty<string>());
}

/// <summary>A named data set Loom knows how to find, fetch and check.</summary>
/// <param name="Name">The name users pass to <c>--data</c> and <c>loom data get</c>.</param>
/// <param name="Description">One line about the data.</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Files">The files (empty for generated sets).</param>
/// <param name="SystemFolders">Folders a system package installs the files into (searched last).</param>
/// <param name="InstallHint">The command that installs the data without Loom's downloader, or null.</param>
/// <param name="License">License and attribution note.</param>
public sealed record DatasetEntry(
    string Name,
    string Description,
    DatasetKind Kind,
    IReadOnlyList<DataFileSpec> Files,
    IReadOnlyList<string> SystemFolders,
    string? InstallHint,
    string License)
{
    /// <summary>True when every file has a download URL (so <c>loom data get</c> can fetch it).</summary>
    public bool Downloadable => Files.Count > 0 && Files.All(f => f.Url is not null);

    /// <summary>True for generated sets (toy data): nothing to find or fetch.</summary>
    public bool Generated => Kind == DatasetKind.Toy;
}
