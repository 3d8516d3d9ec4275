using System.Security.Cryptography;

namespace Loom.Data;

/// <summary>How a local file compares with the catalog's checksums.</summary>
public enum ChecksumStatus
{
    /// <summary>The file was not found.</summary>
    Missing,
    /// <summary>Matches the canonical SHA-256.</summary>
    Verified,
    /// <summary>Matches a known alternate (e.g. a distribution's re-compressed copy).</summary>
    KnownAlternate,
    /// <summary>The catalog records no checksum for this file.</summary>
    Unchecked,
    /// <summary>Differs from every known checksum.</summary>
    Mismatch,
}

/// <summary>One file of <see cref="DataSetInfo"/>.</summary>
/// <param name="Spec">The catalog's description of the file.</param>
/// <param name="Path">Where it was found, or null.</param>
/// <param name="Size">Its size in bytes when found.</param>
/// <param name="Sha256">Its SHA-256 when found.</param>
/// <param name="Status">How it compares with the catalog.</param>
/// <param name="Note">Which alternate it matched, if any.</param>
public sealed record DataFileInfo(DataFileSpec Spec, string? Path, long? Size, string? Sha256, ChecksumStatus Status, string? Note);

/// <summary>What <see cref="DataCatalog.Info"/> reports about a data set.</summary>
/// <param name="Entry">The catalog entry.</param>
/// <param name="Location">The folder the files were found in, or null.</param>
/// <param name="Searched">The folders searched, in order.</param>
/// <param name="Files">Per-file findings (empty for generated sets).</param>
public sealed record DataSetInfo(DatasetEntry Entry, string? Location, IReadOnlyList<string> Searched, IReadOnlyList<DataFileInfo> Files)
{
    /// <summary>True when the files are present (or the set is generated).</summary>
    public bool Available => Entry.Generated || Location is not null;
}

/// <summary>SHA-256 helpers shared by the catalog and the downloader.</summary>
public static class Checksums
{
    /// <summary>Lower-case hex SHA-256 of a file's bytes.</summary>
    public static string Sha256OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Lower-case hex SHA-256 of bytes.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Compares an actual checksum with what the catalog knows about the file.</summary>
    public static (ChecksumStatus Status, string? Note) Judge(DataFileSpec spec, string actual)
    {
        if (spec.Sha256 is null)
            return (ChecksumStatus.Unchecked, null);
        if (string.Equals(spec.Sha256, actual, StringComparison.OrdinalIgnoreCase))
            return (ChecksumStatus.Verified, null);
        if (spec.AlternateSha256 is { } alternates)
            foreach (var (sha, origin) in alternates)
                if (string.Equals(sha, actual, StringComparison.OrdinalIgnoreCase))
                    return (ChecksumStatus.KnownAlternate, origin);
        return (ChecksumStatus.Mismatch, null);
    }
}
