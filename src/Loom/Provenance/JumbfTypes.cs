namespace Loom.Provenance;

/// <summary>
/// The 16-byte type UUIDs of the JUMBF superboxes a C2PA manifest store is made of (ISO 19566-5 and the C2PA
/// specification): a four-character code followed by the fixed ISO suffix <c>0011-0010-8000-00AA00389B71</c>.
/// </summary>
internal static class JumbfTypes
{
    /// <summary>The manifest store (<c>c2pa</c>).</summary>
    public static readonly byte[] ManifestStore = FromCode("c2pa");

    /// <summary>One manifest (<c>c2ma</c>).</summary>
    public static readonly byte[] Manifest = FromCode("c2ma");

    /// <summary>The assertion store of a manifest (<c>c2as</c>).</summary>
    public static readonly byte[] AssertionStore = FromCode("c2as");

    /// <summary>The claim (<c>c2cl</c>).</summary>
    public static readonly byte[] Claim = FromCode("c2cl");

    /// <summary>The claim signature (<c>c2cs</c>).</summary>
    public static readonly byte[] Signature = FromCode("c2cs");

    /// <summary>A CBOR assertion (<c>cbor</c>).</summary>
    public static readonly byte[] CborAssertion = FromCode("cbor");

    private static byte[] FromCode(string code)
    {
        var uuid = new byte[16];
        System.Text.Encoding.ASCII.GetBytes(code, uuid);
        Convert.FromHexString("00110010800000AA00389B71").CopyTo(uuid, 4);
        return uuid;
    }
}
