using System.Security.Cryptography.X509Certificates;
using Loom.Core;
using Loom.Provenance;
using Loom.Tests.Support;

namespace Loom.Tests.Provenance;

public class ProvenanceKeysTests
{
    [Fact]
    public void Generate_WritesPemFiles_PrivateKeyOwnerOnly_WithTheC2paCertificateProfile()
    {
        using var dir = new TempFolder();
        var folder = dir.File("keys");
        using var keys = ProvenanceKeys.Generate(folder);

        var keyFile = Path.Combine(folder, ProvenanceKeys.PrivateKeyFile);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyFile));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var certificate = keys.Signer;
        Assert.Equal(3, certificate.Version);
        Assert.Equal("1.2.840.10045.4.3.2", certificate.SignatureAlgorithm.Value); // ecdsa-with-SHA256
        Assert.Equal(256, certificate.GetECDsaPublicKey()!.KeySize);
        var extensions = certificate.Extensions;
        Assert.False(extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        var usages = extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>()
            .Select(o => o.Value).ToList();
        Assert.Contains("1.3.6.1.5.5.7.3.4", usages); // emailProtection, which c2pa-rs accepts by default
        Assert.Single(extensions.OfType<X509SubjectKeyIdentifierExtension>());
        Assert.Single(extensions.OfType<X509AuthorityKeyIdentifierExtension>());
        Assert.True(certificate.HasPrivateKey);
    }

    [Fact]
    public void Generate_RefusesAFolderThatHoldsAKey()
    {
        using var dir = new TempFolder();
        using (ProvenanceKeys.Generate(dir.Path)) { }

        Assert.Throws<LoomUsageException>(() => ProvenanceKeys.Generate(dir.Path));
    }

    [Fact]
    public void Load_MissingFolderOrFile_IsDataError()
    {
        using var dir = new TempFolder();

        Assert.Contains("no such key folder", Assert.Throws<LoomDataException>(() => ProvenanceKeys.Load(dir.File("nope"))).Message);
        Assert.Contains(ProvenanceKeys.CertificateFile, Assert.Throws<LoomDataException>(() => ProvenanceKeys.Load(dir.Path)).Message);
    }
}
