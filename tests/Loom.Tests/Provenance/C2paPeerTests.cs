using Loom.Provenance;
using Loom.Tests.Support;

namespace Loom.Tests.Provenance;

/// <summary>Loom's manifests as c2pa-rs (the C2PA reference implementation, as WebAssembly) reads them.</summary>
public class C2paPeerTests
{
    /// <summary>The only status c2pa-rs may report for Loom's self-signed test certificate.</summary>
    private const string Untrusted = "signingCredential.untrusted";

    [Fact]
    public void C2paRs_ReadsLoomSignedPng_WithLoomAssertionsAndOnlyUntrustedSigner()
    {
        using var dir = new TempFolder();
        var path = dir.File("signed.png");
        File.WriteAllBytes(path, ProvenanceFixtures.SignedPng(dir.File("keys")));

        var reading = C2paPeer.Read(path, "image/png");

        Assert.True(reading.Failures.All(f => f == Untrusted), reading.Raw);
        Assert.Contains(Untrusted, reading.Failures);
        var assertions = reading.Manifest!["assertions"]!.AsArray();
        var actions = assertions.Single(a => a!["label"]!.GetValue<string>().StartsWith("c2pa.actions", StringComparison.Ordinal))!;
        var created = actions["data"]!["actions"]![0]!;
        Assert.Equal("c2pa.created", created["action"]!.GetValue<string>());
        Assert.Equal("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
            created["digitalSourceType"]!.GetValue<string>());
        var loom = assertions.Single(a => a!["label"]!.GetValue<string>() == "org.loom.generation")!["data"]!;
        Assert.Equal("diffusion", loom["model_kind"]!.GetValue<string>());
        Assert.Equal(new string('a', 64), loom["weights_sha256"]!.GetValue<string>());
        Assert.Equal(42, loom["seed"]!.GetValue<long>());
        Assert.Equal("20", loom["parameters"]!["steps"]!.GetValue<string>());
        Assert.Equal(Loom.Core.LoomVersion.Current, loom["loom_version"]!.GetValue<string>());
    }

    [Fact]
    public void C2paRs_ReportsHashMismatch_WhenOnePixelChanged()
    {
        using var dir = new TempFolder();
        var signed = ProvenanceFixtures.SignedPng(dir.File("keys"));
        var tampered = ProvenanceFixtures.WithOnePixelChanged(signed);
        var path = dir.File("tampered.png");
        File.WriteAllBytes(path, tampered);

        var reading = C2paPeer.Read(path, "image/png");

        Assert.Contains("assertion.dataHash.mismatch", reading.Failures);
        var report = ContentCredentials.Verify(tampered);
        Assert.Equal(ProvenanceStatus.Tampered, report.Status);
        Assert.Equal(TamperEvidence.DataHashMismatch, report.Evidence);
    }

    [Fact]
    public void C2paRs_RejectsTheClaimSignature_WhenSignatureBytesAltered()
    {
        using var dir = new TempFolder();
        var signed = ProvenanceFixtures.SignedPng(dir.File("keys"));
        var (_, end) = ProvenanceFixtures.FindChunk(signed, "caBX");
        signed[end - 4 - 10] ^= 0x01; // inside s of the COSE signature, which ends the manifest store
        var path = dir.File("forged.png");
        File.WriteAllBytes(path, signed);

        var reading = C2paPeer.Read(path, "image/png");

        Assert.Contains("claimSignature.mismatch", reading.Failures);
        Assert.Equal(TamperEvidence.BadSignature, ContentCredentials.Verify(signed).Evidence);
    }

    /// <summary>
    /// c2pa-wasm has no entry point for a sidecar together with its asset, so it reads the sidecar alone: the store, claim,
    /// signature and assertion links must check out; the hard binding cannot (c2pa-rs hashes the sidecar's own bytes).
    /// </summary>
    [Fact]
    public void C2paRs_ReadsLoomSidecar_AsAValidManifestStore()
    {
        using var dir = new TempFolder();
        using var keys = ProvenanceKeys.Generate(dir.File("keys"));
        var path = dir.File("story.txt.c2pa");
        File.WriteAllBytes(path, ContentCredentials.SignSidecar("A generated story.\n"u8.ToArray(), keys, ProvenanceFixtures.Record()));

        var reading = C2paPeer.Read(path, "application/c2pa");

        Assert.Contains("claimSignature.validated", reading.Successes);
        Assert.Equal(3, reading.Successes.Count(s => s == "assertion.hashedURI.match"));
        Assert.True(reading.Failures.All(f => f is Untrusted or "assertion.dataHash.mismatch"), reading.Raw);
        Assert.Contains(reading.Manifest!["assertions"]!.AsArray(), a => a!["label"]!.GetValue<string>() == "org.loom.generation");
    }

    [Fact]
    public void C2paRs_FindsNoManifest_InAnUnsignedPng()
    {
        using var dir = new TempFolder();
        var path = dir.File("plain.png");
        File.WriteAllBytes(path, ProvenanceFixtures.Png8x8());

        var reading = C2paPeer.Read(path, "image/png");

        Assert.True(reading.Manifest is null, reading.Raw);
        Assert.Equal(ProvenanceStatus.Unsigned, ContentCredentials.Verify(File.ReadAllBytes(path)).Status);
    }
}
