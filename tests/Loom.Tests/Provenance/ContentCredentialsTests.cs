using System.Security.Cryptography.X509Certificates;
using Loom.Core;
using Loom.Provenance;
using Loom.Tests.Support;

namespace Loom.Tests.Provenance;

/// <summary>Loom's own verification of the manifests it writes: PNG-embedded and sidecar.</summary>
public class ContentCredentialsTests
{
    /// <summary>The fixture PNG signed with a fresh key.</summary>
    private static byte[] SignedPng()
    {
        using var dir = new TempFolder();
        return ProvenanceFixtures.SignedPng(dir.File("keys"));
    }

    [Fact]
    public void Verify_UnsignedPng_IsUnsigned()
    {
        var report = ContentCredentials.Verify(ProvenanceFixtures.Png8x8());

        Assert.Equal(ProvenanceStatus.Unsigned, report.Status);
        Assert.False(report.IsIntact);
    }

    [Fact]
    public void Verify_SignedPng_IsUntrustedSignerWithoutTrustList_ValidWithIt()
    {
        using var dir = new TempFolder();
        using var keys = ProvenanceKeys.Generate(dir.File("keys"));
        using var other = ProvenanceKeys.Generate(dir.File("other"));
        var record = ProvenanceFixtures.Record();
        var signed = ContentCredentials.SignPng(ProvenanceFixtures.Png8x8(), keys, record);

        var untrusted = ContentCredentials.Verify(signed);
        var strangers = ContentCredentials.Verify(signed, [other.Signer]);
        var trusted = ContentCredentials.Verify(signed, [X509CertificateLoader.LoadCertificate(keys.Signer.RawData)]);

        Assert.Equal(ProvenanceStatus.UntrustedSigner, untrusted.Status);
        Assert.Equal(ProvenanceStatus.UntrustedSigner, strangers.Status);
        Assert.Equal(ProvenanceStatus.Valid, trusted.Status);
        Assert.Equal(TamperEvidence.None, trusted.Evidence);
        Assert.Equal(["c2pa.created"], untrusted.Actions);
        Assert.Equal("Loom", untrusted.ClaimGenerator);
        Assert.Contains("Loom content credentials", untrusted.Signer);
        var read = untrusted.Generation!;
        Assert.Equal((record.ModelKind, record.WeightsSha256, record.Seed, record.LoomVersion),
            (read.ModelKind, read.WeightsSha256, read.Seed, read.LoomVersion));
        Assert.Equal(record.Parameters.OrderBy(p => p.Key), read.Parameters.OrderBy(p => p.Key));
    }

    [Fact]
    public void SignPng_KeepsThePixels_AndReplacesAnEarlierManifest()
    {
        using var dir = new TempFolder();
        using var keys = ProvenanceKeys.Generate(dir.File("keys"));
        var png = ProvenanceFixtures.Png8x8();
        var once = ContentCredentials.SignPng(png, keys, ProvenanceFixtures.Record());
        var twice = ContentCredentials.SignPng(once, keys, ProvenanceFixtures.Record() with { Seed = 7 });

        using var before = Loom.IO.Images.Png.Decode(png);
        using var after = Loom.IO.Images.Png.Decode(twice);
        Assert.True(before.shape.SequenceEqual(after.shape) && before.data<byte>().SequenceEqual(after.data<byte>()));
        var (start, end) = ProvenanceFixtures.FindChunk(twice, "caBX");
        Assert.Equal(png.Length + (end - start), twice.Length);
        var report = ContentCredentials.Verify(twice);
        Assert.Equal(ProvenanceStatus.UntrustedSigner, report.Status);
        Assert.Equal(7, report.Generation!.Seed);
    }

    [Fact]
    public void Verify_SignatureBytesAltered_IsTamperedBadSignature()
    {
        var signed = SignedPng();
        // The COSE signature (r || s) ends the manifest store, which ends just before the caBX chunk's CRC.
        var (_, end) = ProvenanceFixtures.FindChunk(signed, "caBX");
        signed[end - 4 - 10] ^= 0x01;

        var report = ContentCredentials.Verify(signed);

        Assert.Equal(ProvenanceStatus.Tampered, report.Status);
        Assert.Equal(TamperEvidence.BadSignature, report.Evidence);
    }

    [Fact]
    public void Verify_AssertionEditedInPlace_IsTamperedAssertionHashMismatch()
    {
        var signed = SignedPng();
        // CBOR "seed": 42 is 64 73 65 65 64 18 2A; claim the seed was 43.
        byte[] seed = [0x64, (byte)'s', (byte)'e', (byte)'e', (byte)'d', 0x18, 42];
        var at = signed.AsSpan().IndexOf(seed);
        Assert.True(at > 0);
        signed[at + seed.Length - 1] = 43;

        var report = ContentCredentials.Verify(signed);

        Assert.Equal(ProvenanceStatus.Tampered, report.Status);
        Assert.Equal(TamperEvidence.AssertionHashMismatch, report.Evidence);
        Assert.Contains("org.loom.generation", report.Detail);
    }

    [Fact]
    public void Verify_OnePixelChanged_IsTamperedDataHashMismatch()
    {
        var signed = SignedPng();

        var report = ContentCredentials.Verify(ProvenanceFixtures.WithOnePixelChanged(signed));

        Assert.Equal(ProvenanceStatus.Tampered, report.Status);
        Assert.Equal(TamperEvidence.DataHashMismatch, report.Evidence);
    }

    [Fact]
    public void Verify_GarbledManifest_IsTamperedMalformed()
    {
        var signed = SignedPng();
        var (start, _) = ProvenanceFixtures.FindChunk(signed, "caBX");
        signed[start + 8 + 3] ^= 0x40; // the manifest store's own box size

        var report = ContentCredentials.Verify(signed);

        Assert.Equal(ProvenanceStatus.Tampered, report.Status);
        Assert.Equal(TamperEvidence.MalformedManifest, report.Evidence);
    }

    [Fact]
    public void SignAndVerify_NotAPng_AreDataErrors()
    {
        using var dir = new TempFolder();
        using var keys = ProvenanceKeys.Generate(dir.File("keys"));
        var text = "not a png"u8.ToArray();

        Assert.Contains("not a PNG", Assert.Throws<LoomDataException>(() => ContentCredentials.Verify(text)).Message);
        Assert.Contains("not a PNG",
            Assert.Throws<LoomDataException>(() => ContentCredentials.SignPng(text, keys, ProvenanceFixtures.Record())).Message);
        var png = ProvenanceFixtures.Png8x8();
        Assert.Throws<LoomDataException>(() => ContentCredentials.Verify(png[..(png.Length - 5)]));
    }

    [Fact]
    public void Sidecar_RoundTrips_AndAnEditedTextIsTampered()
    {
        using var dir = new TempFolder();
        using var keys = ProvenanceKeys.Generate(dir.File("keys"));
        var text = "In the beginning was the sample.\n"u8.ToArray();
        var sidecar = ContentCredentials.SignSidecar(text, keys, ProvenanceFixtures.Record());

        var intact = ContentCredentials.VerifySidecar(text, sidecar);
        var edited = ContentCredentials.VerifySidecar("In the beginning was the sample!\n"u8.ToArray(), sidecar);

        Assert.Equal(ProvenanceStatus.UntrustedSigner, intact.Status);
        Assert.Equal("diffusion", intact.Generation!.ModelKind);
        Assert.Equal(ProvenanceStatus.Tampered, edited.Status);
        Assert.Equal(TamperEvidence.DataHashMismatch, edited.Evidence);
        Assert.Equal("notes.txt.c2pa", Path.GetFileName(ContentCredentials.SidecarPath(dir.File("notes.txt"))));
    }

    [Fact]
    public void GenerationRecord_BadWeightsHash_IsUsageError()
    {
        using var dir = new TempFolder();
        using var keys = ProvenanceKeys.Generate(dir.File("keys"));
        var bad = ProvenanceFixtures.Record() with { WeightsSha256 = "abc" };

        var e = Assert.Throws<LoomUsageException>(() => ContentCredentials.SignPng(ProvenanceFixtures.Png8x8(), keys, bad));

        Assert.Equal(nameof(GenerationRecord.WeightsSha256), e.Option);
    }
}
