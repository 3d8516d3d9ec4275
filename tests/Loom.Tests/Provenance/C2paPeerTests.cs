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
        using var keys = ProvenanceKeys.Generate(dir.File("keys"));
        var path = dir.File("signed.png");
        File.WriteAllBytes(path, ContentCredentials.SignPng(ProvenanceFixtures.Png8x8(), keys, ProvenanceFixtures.Record()));

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
        using var keys = ProvenanceKeys.Generate(dir.File("keys"));
        var signed = ContentCredentials.SignPng(ProvenanceFixtures.Png8x8(), keys, ProvenanceFixtures.Record());
        var tampered = ProvenanceFixtures.WithOnePixelChanged(signed);
        var path = dir.File("tampered.png");
        File.WriteAllBytes(path, tampered);

        var reading = C2paPeer.Read(path, "image/png");

        Assert.Contains("assertion.dataHash.mismatch", reading.Failures);
        var report = ContentCredentials.Verify(tampered);
        Assert.Equal(ProvenanceStatus.Tampered, report.Status);
        Assert.Equal(TamperEvidence.DataHashMismatch, report.Evidence);
    }
}
