using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Loom.Core;

namespace Loom.Provenance;

/// <summary>
/// Verifies the active (last) manifest of a C2PA manifest store: the COSE signature over the claim, every assertion
/// against the hash the claim recorded, the <c>c2pa.hash.data</c> hard binding against the asset, and whether the
/// signer chains to one of the caller's trusted certificates.
/// </summary>
internal static class ManifestVerifier
{
    /// <param name="store">The manifest store's bytes.</param>
    /// <param name="assetHash">SHA-256 of the asset with the given ranges left out.</param>
    /// <param name="trusted">The certificates the caller trusts (roots or the signer itself); may be empty.</param>
    public static ProvenanceReport Verify(
        byte[] store, Func<IReadOnlyList<HashRange>, byte[]> assetHash, IReadOnlyCollection<X509Certificate2> trusted)
    {
        try
        {
            return VerifyStore(store, assetHash, trusted);
        }
        catch (LoomDataException e)
        {
            return new ProvenanceReport(ProvenanceStatus.Tampered, TamperEvidence.MalformedManifest, $"malformed manifest: {e.Message}");
        }
    }

    private static ProvenanceReport VerifyStore(
        byte[] storeBytes, Func<IReadOnlyList<HashRange>, byte[]> assetHash, IReadOnlyCollection<X509Certificate2> trusted)
    {
        var store = JumbfSuperBox.Parse(storeBytes, "manifest store");
        if (!store.TypeUuid.AsSpan().SequenceEqual(JumbfTypes.ManifestStore))
            throw new LoomDataException("manifest store: not a C2PA manifest store (wrong JUMBF type)");
        var manifest = store.Children.LastOrDefault(c => c.TypeUuid.AsSpan().SequenceEqual(JumbfTypes.Manifest))
            ?? throw new LoomDataException("manifest store: holds no manifest");
        var claimBytes = manifest.Children.FirstOrDefault(c => c.Label.StartsWith("c2pa.claim", StringComparison.Ordinal))?.Content("cbor")
            ?? throw new LoomDataException($"{manifest.Label}: no claim");
        var signature = manifest.Child(ClaimWriter.SignatureLabel)?.Content("cbor")
            ?? throw new LoomDataException($"{manifest.Label}: no signature");
        var assertions = manifest.Child(ClaimWriter.AssertionStoreLabel)
            ?? throw new LoomDataException($"{manifest.Label}: no assertion store");

        var (signed, chain) = CoseClaimSignature.Verify(signature, claimBytes);
        var claim = ClaimReader.FromCbor(claimBytes);
        var report = new ProvenanceReport(ProvenanceStatus.UntrustedSigner, TamperEvidence.None, "")
        {
            ManifestLabel = manifest.Label,
            ClaimGenerator = claim.GeneratorName,
            Signer = chain[0].Subject,
            Actions = assertions.Children.FirstOrDefault(a => a.Label.StartsWith("c2pa.actions", StringComparison.Ordinal))?.Content("cbor")
                is { } actions ? ActionsAssertion.ActionNames(actions) : [],
            Generation = assertions.Child(GenerationAssertion.Label)?.Content("cbor") is { } generation
                ? GenerationAssertion.FromCbor(generation) : null,
        };
        if (!signed)
            return Tampered(report, TamperEvidence.BadSignature, "the claim signature does not verify");

        foreach (var link in claim.Assertions)
        {
            var box = assertions.Child(link.AssertionLabel);
            if (box is null || !SHA256.HashData(box.Payload).AsSpan().SequenceEqual(link.Hash))
                return Tampered(report, TamperEvidence.AssertionHashMismatch,
                    $"assertion {link.AssertionLabel} " + (box is null ? "is missing" : "does not match its hash"));
        }
        var bindingLink = claim.Assertions.FirstOrDefault(l => l.AssertionLabel == DataHashAssertion.Label);
        if (bindingLink is null)
            return Tampered(report, TamperEvidence.MalformedManifest, "the claim has no c2pa.hash.data hard binding");
        var binding = DataHashAssertion.FromCbor(assertions.Child(DataHashAssertion.Label)!.Content("cbor")
            ?? throw new LoomDataException($"{DataHashAssertion.Label}: no CBOR content"));
        if (!assetHash(binding.Exclusions).AsSpan().SequenceEqual(binding.Hash))
            return Tampered(report, TamperEvidence.DataHashMismatch, "the content does not match the c2pa.hash.data hash");

        return IsTrusted(chain, trusted)
            ? report with { Status = ProvenanceStatus.Valid, Detail = "signature and hashes verify; the signer is trusted" }
            : report with { Detail = "signature and hashes verify; the signer is not in the trust list" };
    }

    private static ProvenanceReport Tampered(ProvenanceReport report, TamperEvidence evidence, string detail) =>
        report with { Status = ProvenanceStatus.Tampered, Evidence = evidence, Detail = detail };

    private static bool IsTrusted(X509Certificate2[] chain, IReadOnlyCollection<X509Certificate2> trusted)
    {
        if (trusted.Count == 0) return false;
        using var builder = new X509Chain();
        builder.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        builder.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        builder.ChainPolicy.CustomTrustStore.AddRange(trusted.ToArray());
        builder.ChainPolicy.ExtraStore.AddRange(chain[1..]);
        return builder.Build(chain[0]);
    }
}
