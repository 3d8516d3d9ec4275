using System.Formats.Cbor;

namespace Loom.Provenance;

/// <summary>
/// Writes a C2PA v2 claim (<c>c2pa.claim.v2</c>): the instance id, Loom as the claim generator, the link to the
/// signature box and the hashed links to every assertion the manifest created.
/// </summary>
internal static class ClaimWriter
{
    public const string Label = "c2pa.claim.v2";
    public const string SignatureLabel = "c2pa.signature";
    public const string AssertionStoreLabel = "c2pa.assertions";

    public static byte[] ToCbor(string manifestLabel, string instanceId, string loomVersion, IReadOnlyList<HashedUri> assertions)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(5);
        w.WriteTextString("instanceID");
        w.WriteTextString(instanceId);
        w.WriteTextString("claim_generator_info");
        WriteGeneratorInfo(w, loomVersion);
        w.WriteTextString("signature");
        w.WriteTextString($"self#jumbf=/c2pa/{manifestLabel}/{SignatureLabel}");
        w.WriteTextString("created_assertions");
        w.WriteStartArray(assertions.Count);
        foreach (var link in assertions)
        {
            w.WriteStartMap(2);
            w.WriteTextString("url");
            w.WriteTextString(link.Url);
            w.WriteTextString("hash");
            w.WriteByteString(link.Hash);
            w.WriteEndMap();
        }
        w.WriteEndArray();
        w.WriteTextString("alg");
        w.WriteTextString("sha256");
        w.WriteEndMap();
        return w.Encode();
    }

    /// <summary>Writes the generator-info map that names Loom and its version.</summary>
    public static void WriteGeneratorInfo(CborWriter w, string loomVersion)
    {
        w.WriteStartMap(2);
        w.WriteTextString("name");
        w.WriteTextString("Loom");
        w.WriteTextString("version");
        w.WriteTextString(loomVersion);
        w.WriteEndMap();
    }
}
