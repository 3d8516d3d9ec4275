using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Loom.Core;
using Loom.IO;

namespace Loom.Provenance;

/// <summary>
/// <see cref="ContentCredentials"/> on files: a PNG (recognised by its signature bytes) gets its manifest embedded,
/// any other file a sidecar <c>FILE.c2pa</c> beside it. A file named <c>.png</c> that is not a PNG is refused.
/// </summary>
public static class ContentCredentialFiles
{
    /// <summary>
    /// Signs <paramref name="input"/> into <paramref name="output"/> (which may be the same path) and returns the
    /// files written: the signed PNG, or the copied file and its sidecar.
    /// </summary>
    public static IReadOnlyList<string> Sign(string input, string output, ProvenanceKeys keys, GenerationRecord record)
    {
        var bytes = ReadInput(input);
        if (IsPng(input, bytes))
        {
            AtomicFile.WriteAllBytes(output, ContentCredentials.SignPng(bytes, keys, record));
            return [output];
        }
        var sidecar = ContentCredentials.SignSidecar(bytes, keys, record);
        if (Path.GetFullPath(output) != Path.GetFullPath(input)) AtomicFile.WriteAllBytes(output, bytes);
        var sidecarPath = ContentCredentials.SidecarPath(output);
        AtomicFile.WriteAllBytes(sidecarPath, sidecar);
        return [output, sidecarPath];
    }

    /// <summary>Verifies <paramref name="path"/>: its embedded manifest, or its sidecar (Unsigned when it has none).</summary>
    public static ProvenanceReport Verify(string path, IReadOnlyCollection<X509Certificate2>? trusted = null)
    {
        var bytes = ReadInput(path);
        if (IsPng(path, bytes)) return ContentCredentials.Verify(bytes, trusted);
        var sidecarPath = ContentCredentials.SidecarPath(path);
        return File.Exists(sidecarPath)
            ? ContentCredentials.VerifySidecar(bytes, File.ReadAllBytes(sidecarPath), trusted)
            : new ProvenanceReport(ProvenanceStatus.Unsigned, TamperEvidence.None, $"no sidecar manifest {Path.GetFileName(sidecarPath)}");
    }

    /// <summary>The certificates of a PEM file, for the trust list of <see cref="Verify"/>.</summary>
    public static IReadOnlyCollection<X509Certificate2> LoadTrustList(string pemPath)
    {
        if (!File.Exists(pemPath)) throw new LoomDataException($"{pemPath}: trust list file does not exist");
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(pemPath);
        }
        catch (CryptographicException e)
        {
            throw new LoomDataException($"{pemPath}: not a PEM certificate file ({e.Message})", e);
        }
        return certificates.Count > 0 ? [.. certificates] : throw new LoomDataException($"{pemPath}: holds no PEM certificate");
    }

    private static byte[] ReadInput(string path) =>
        File.Exists(path) ? File.ReadAllBytes(path) : throw new LoomDataException($"{path}: file does not exist");

    private static bool IsPng(string path, byte[] bytes)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (bytes.AsSpan().StartsWith(signature)) return true;
        return string.Equals(Path.GetExtension(path), ".png", StringComparison.OrdinalIgnoreCase)
            ? throw new LoomDataException($"{path}: not a PNG file (missing PNG signature)")
            : false;
    }
}
