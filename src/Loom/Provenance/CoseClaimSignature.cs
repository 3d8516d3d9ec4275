using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;
using Loom.Core;

namespace Loom.Provenance;

/// <summary>
/// The claim signature: a COSE_Sign1 with a detached payload (the claim's CBOR bytes), ES256, and the signer's DER
/// certificate chain in the protected <c>x5chain</c> header (label 33).
/// </summary>
internal static class CoseClaimSignature
{
    private static readonly CoseHeaderLabel X5Chain = new(33);

    public static byte[] Sign(byte[] claim, ProvenanceKeys keys)
    {
        using var key = keys.Signer.GetECDsaPrivateKey()
            ?? throw new LoomDataException("the signing certificate has no ECDSA private key");
        var chain = new CborWriter(CborConformanceMode.Lax);
        chain.WriteStartArray(keys.Chain.Count);
        foreach (var certificate in keys.Chain) chain.WriteByteString(certificate.RawData);
        chain.WriteEndArray();
        var protectedHeaders = new CoseHeaderMap { { X5Chain, CoseHeaderValue.FromEncodedValue(chain.Encode()) } };
        var signer = new CoseSigner(key, HashAlgorithmName.SHA256, protectedHeaders);
        return CoseSign1Message.SignDetached(claim, signer);
    }

    /// <summary>
    /// Decodes <paramref name="cose"/> and its certificate chain (signer first); <c>Valid</c> says whether the signature
    /// over <paramref name="claim"/> verifies with the signer certificate's public key.
    /// </summary>
    public static (bool Valid, X509Certificate2[] Chain) Verify(byte[] cose, byte[] claim)
    {
        CoseSign1Message message;
        try
        {
            message = CoseMessage.DecodeSign1(cose);
        }
        catch (CryptographicException e)
        {
            throw new LoomDataException($"c2pa.signature: not a COSE_Sign1 message ({e.Message})", e);
        }
        if (!message.ProtectedHeaders.TryGetValue(X5Chain, out var value) && !message.UnprotectedHeaders.TryGetValue(X5Chain, out value))
            throw new LoomDataException("c2pa.signature: no x5chain certificate header");
        var chain = ReadChain(value.EncodedValue.ToArray());
        if (chain.Length == 0) throw new LoomDataException("c2pa.signature: the x5chain header is empty");
        // Loom signs ES256; other validators' manifests may use ES384/512 or PS256/384/512, which .NET's COSE verifies too.
        using AsymmetricAlgorithm? publicKey = (AsymmetricAlgorithm?)chain[0].GetECDsaPublicKey() ?? chain[0].GetRSAPublicKey();
        if (publicKey is null) return (false, chain);
        try
        {
            return (message.VerifyDetached(publicKey, claim), chain);
        }
        catch (CryptographicException)
        {
            return (false, chain);
        }
    }

    private static X509Certificate2[] ReadChain(byte[] encoded)
    {
        try
        {
            var reader = new CborReader(encoded, CborConformanceMode.Lax);
            if (reader.PeekState() == CborReaderState.ByteString) return [X509CertificateLoader.LoadCertificate(reader.ReadByteString())];
            var certificates = new List<X509Certificate2>();
            reader.ReadStartArray();
            while (reader.PeekState() != CborReaderState.EndArray)
                certificates.Add(X509CertificateLoader.LoadCertificate(reader.ReadByteString()));
            return [.. certificates];
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or CryptographicException)
        {
            throw new LoomDataException($"c2pa.signature: the x5chain header is not a DER certificate chain ({e.Message})", e);
        }
    }
}
