namespace Loom.Provenance;

/// <summary>What verifying Content Credentials found.</summary>
public enum ProvenanceStatus
{
    /// <summary>Signature and hashes check out and the signer chains to a certificate the caller trusts.</summary>
    Valid,

    /// <summary>Signature and hashes check out, but the signer is self-signed or not in the caller's trust list.</summary>
    UntrustedSigner,

    /// <summary>The content or the manifest changed after signing (<see cref="ProvenanceReport.Evidence"/> says how).</summary>
    Tampered,

    /// <summary>The file carries no manifest.</summary>
    Unsigned,
}

/// <summary>Why a manifest counts as <see cref="ProvenanceStatus.Tampered"/>.</summary>
public enum TamperEvidence
{
    /// <summary>Nothing: the manifest is intact (or absent).</summary>
    None,

    /// <summary>The asset's bytes no longer match the <c>c2pa.hash.data</c> hard binding.</summary>
    DataHashMismatch,

    /// <summary>An assertion no longer matches the hash its claim recorded, or is missing.</summary>
    AssertionHashMismatch,

    /// <summary>The COSE signature over the claim does not verify with the signer's certificate.</summary>
    BadSignature,

    /// <summary>The manifest cannot be read, or lacks a part every valid one has (claim, signature, hard binding).</summary>
    MalformedManifest,
}

/// <summary>
/// The outcome of <see cref="ContentCredentials.Verify"/>: the <see cref="Status"/>, for a tampered file the
/// <see cref="Evidence"/>, a one-line <see cref="Detail"/>, and what the manifest says (actions, the Loom generation
/// record, the signer's certificate subject).
/// </summary>
public sealed record ProvenanceReport(ProvenanceStatus Status, TamperEvidence Evidence, string Detail)
{
    /// <summary>The manifest's label (<c>urn:c2pa:…</c>), or null when there is none.</summary>
    public string? ManifestLabel { get; init; }

    /// <summary>The claim generator's name (Loom for manifests Loom wrote).</summary>
    public string? ClaimGenerator { get; init; }

    /// <summary>The subject of the signing certificate.</summary>
    public string? Signer { get; init; }

    /// <summary>The actions the <c>c2pa.actions</c> assertion lists, e.g. <c>c2pa.created</c>.</summary>
    public IReadOnlyList<string> Actions { get; init; } = [];

    /// <summary>The <c>org.loom.generation</c> assertion, when the manifest has one.</summary>
    public GenerationRecord? Generation { get; init; }

    /// <summary>True for <see cref="ProvenanceStatus.Valid"/> and <see cref="ProvenanceStatus.UntrustedSigner"/>.</summary>
    public bool IsIntact => Status is ProvenanceStatus.Valid or ProvenanceStatus.UntrustedSigner;
}
