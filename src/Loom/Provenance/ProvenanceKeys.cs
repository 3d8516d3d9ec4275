using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Loom.Core;
using Loom.IO;

namespace Loom.Provenance;

/// <summary>
/// A signing key and its X.509 certificate for Content Credentials, kept as PEM files in a folder:
/// <see cref="CertificateFile"/> (the certificate chain, signer first) and <see cref="PrivateKeyFile"/> (PKCS#8,
/// mode 0600). <see cref="Generate"/> makes a self-signed ECDSA P-256 certificate that meets the C2PA certificate
/// profile (v3, digitalSignature key usage, emailProtection and documentSigning extended key usages, subject and
/// authority key identifiers, not a CA), so C2PA validators accept its signatures and report the signer as untrusted
/// until a trust list names it.
/// </summary>
public sealed class ProvenanceKeys : IDisposable
{
    public const string CertificateFile = "signer.pem";
    public const string PrivateKeyFile = "signer.key";

    private static readonly string[] SigningUsages = ["1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.36"];

    private ProvenanceKeys(X509Certificate2 signer, X509Certificate2Collection chain)
    {
        Signer = signer;
        Chain = chain;
    }

    /// <summary>The signing certificate, with its private key.</summary>
    public X509Certificate2 Signer { get; }

    /// <summary>The certificates the signature carries (x5chain): the signer first, then any issuers.</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>
    /// Creates a new key and self-signed certificate for <paramref name="commonName"/>, valid for
    /// <paramref name="validDays"/> days, and saves both in <paramref name="folder"/> (created if missing).
    /// A folder that already holds a key is refused rather than overwritten.
    /// </summary>
    public static ProvenanceKeys Generate(string folder, string commonName = "Loom content credentials", int validDays = 730)
    {
        // Errors name the parameters as options (ValidDays, CommonName), the way shells map them onto flags.
        if (validDays < 1) throw LoomUsageException.ForOption("ValidDays", $"must be at least 1, got {validDays}");
        if (string.IsNullOrWhiteSpace(commonName)) throw LoomUsageException.ForOption("CommonName", "must not be empty");
        var keyPath = Path.Combine(folder, PrivateKeyFile);
        if (File.Exists(keyPath) || File.Exists(Path.Combine(folder, CertificateFile)))
            throw new LoomUsageException($"{folder} already holds a signing key; remove it or choose another folder");

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(commonName);
        name.AddOrganizationName("Loom");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection();
        foreach (var oid in SigningUsages) usages.Add(new Oid(oid));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        var subjectKeyId = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(subjectKeyId);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKeyId));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(validDays));

        Directory.CreateDirectory(folder);
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        AtomicFile.Write(keyPath, s => s.Write(System.Text.Encoding.ASCII.GetBytes(keyPem)),
            UnixFileMode.UserRead | UnixFileMode.UserWrite);
        AtomicFile.WriteAllText(Path.Combine(folder, CertificateFile), certificate.ExportCertificatePem() + "\n");
        return Load(folder);
    }

    /// <summary>Loads the key and certificate chain <see cref="Generate"/> (or another tool) saved in <paramref name="folder"/>.</summary>
    public static ProvenanceKeys Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new LoomDataException($"{folder}: no such key folder");
        var certPath = Path.Combine(folder, CertificateFile);
        var keyPath = Path.Combine(folder, PrivateKeyFile);
        foreach (var path in new[] { certPath, keyPath })
            if (!File.Exists(path)) throw new LoomDataException($"{folder}: not a key folder ({Path.GetFileName(path)} is missing)");
        try
        {
            var signer = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            if (signer.GetECDsaPrivateKey() is not { } key || key.KeySize != 256)
                throw new LoomDataException($"{keyPath}: Loom signs with ECDSA P-256 (ES256); this is another kind of key");
            key.Dispose();
            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(certPath);
            return new ProvenanceKeys(signer, chain);
        }
        catch (CryptographicException e)
        {
            throw new LoomDataException($"{folder}: cannot read the key or certificate ({e.Message})", e);
        }
    }

    public void Dispose()
    {
        Signer.Dispose();
        foreach (var c in Chain) c.Dispose();
    }
}
