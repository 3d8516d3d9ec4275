using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Loom.Provenance;

/// <summary>
/// Signs and verifies C2PA Content Credentials for Loom's outputs. A PNG gets its manifest store embedded in a
/// <c>caBX</c> chunk right after <c>IHDR</c> (where c2pa-rs puts it), its hard binding hashing every byte but that
/// chunk; any other file gets a sidecar (<see cref="SidecarPath"/>): a standalone manifest store whose hard binding
/// hashes the whole file. The manifest says the content was created by a trained model (<c>c2pa.created</c>,
/// <c>trainedAlgorithmicMedia</c>) and carries the <see cref="GenerationRecord"/> as <c>org.loom.generation</c>.
/// </summary>
public static class ContentCredentials
{
    /// <summary>The sidecar manifest of <paramref name="file"/>: the file's name with <c>.c2pa</c> appended.</summary>
    public static string SidecarPath(string file) => file + ".c2pa";

    /// <summary>
    /// <paramref name="png"/> with a signed manifest embedded (a manifest it already had is replaced).
    /// Throws a <see cref="Core.LoomDataException"/> when the bytes are not a PNG.
    /// </summary>
    public static byte[] SignPng(byte[] png, ProvenanceKeys keys, GenerationRecord record)
    {
        var clean = WithoutManifest(png);
        var insertAt = PngChunks.Parse(clean, "image")[0].End;
        var hash = SHA256.HashData(clean);
        var store = ManifestStoreWriter.Write(keys, record,
            length => new DataHashAssertion([new HashRange(insertAt, length + 12)], hash));
        return [.. clean.AsSpan(0, insertAt), .. PngChunks.Encode(PngChunks.ManifestChunk, store), .. clean.AsSpan(insertAt)];
    }

    /// <summary>
    /// Verifies the manifest embedded in <paramref name="png"/>; a signer that chains to one of
    /// <paramref name="trusted"/> is <see cref="ProvenanceStatus.Valid"/>, any other intact one
    /// <see cref="ProvenanceStatus.UntrustedSigner"/>. Throws a <see cref="Core.LoomDataException"/> when the bytes
    /// are not a PNG.
    /// </summary>
    public static ProvenanceReport Verify(byte[] png, IReadOnlyCollection<X509Certificate2>? trusted = null)
    {
        var chunks = PngChunks.Parse(png, "image");
        var manifests = chunks.Where(c => c.Type == PngChunks.ManifestChunk).ToList();
        if (manifests.Count == 0)
            return new ProvenanceReport(ProvenanceStatus.Unsigned, TamperEvidence.None, "the PNG carries no C2PA manifest (no caBX chunk)");
        if (manifests.Count > 1)
            return new ProvenanceReport(ProvenanceStatus.Tampered, TamperEvidence.MalformedManifest,
                "the PNG holds more than one caBX chunk");
        var store = PngChunks.Data(png, manifests[0]).ToArray();
        return ManifestVerifier.Verify(store, exclusions => DataHashAssertion.HashExcluding(png, exclusions), trusted ?? []);
    }

    /// <summary>A standalone manifest store (the sidecar's bytes) whose hard binding hashes all of <paramref name="asset"/>.</summary>
    public static byte[] SignSidecar(byte[] asset, ProvenanceKeys keys, GenerationRecord record)
    {
        var binding = DataHashAssertion.Of(asset, []);
        return ManifestStoreWriter.Write(keys, record, _ => binding);
    }

    /// <summary>Verifies the sidecar manifest store <paramref name="sidecar"/> against <paramref name="asset"/>.</summary>
    public static ProvenanceReport VerifySidecar(byte[] asset, byte[] sidecar, IReadOnlyCollection<X509Certificate2>? trusted = null) =>
        ManifestVerifier.Verify(sidecar, exclusions => DataHashAssertion.HashExcluding(asset, exclusions), trusted ?? []);

    private static byte[] WithoutManifest(byte[] png)
    {
        var manifests = PngChunks.Parse(png, "image").Where(c => c.Type == PngChunks.ManifestChunk).ToList();
        if (manifests.Count == 0) return png;
        using var clean = new MemoryStream(png.Length);
        var position = 0;
        foreach (var chunk in manifests)
        {
            clean.Write(png, position, chunk.Start - position);
            position = chunk.End;
        }
        clean.Write(png, position, png.Length - position);
        return clean.ToArray();
    }
}
