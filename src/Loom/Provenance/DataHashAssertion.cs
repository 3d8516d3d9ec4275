using System.Formats.Cbor;
using System.Security.Cryptography;
using Loom.Core;

namespace Loom.Provenance;

/// <summary>
/// The <c>c2pa.hash.data</c> hard binding: SHA-256 over the asset's bytes with the <see cref="Exclusions"/> (where
/// the manifest store itself lives) left out.
/// </summary>
internal sealed record DataHashAssertion(IReadOnlyList<HashRange> Exclusions, byte[] Hash)
{
    public const string Label = "c2pa.hash.data";

    /// <summary>The hard binding of <paramref name="asset"/> with <paramref name="exclusions"/> left out.</summary>
    public static DataHashAssertion Of(ReadOnlySpan<byte> asset, IReadOnlyList<HashRange> exclusions) =>
        new(exclusions, HashExcluding(asset, exclusions));

    /// <summary>SHA-256 of <paramref name="asset"/> without the <paramref name="exclusions"/> (sorted, in range).</summary>
    public static byte[] HashExcluding(ReadOnlySpan<byte> asset, IReadOnlyList<HashRange> exclusions)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long position = 0;
        foreach (var range in exclusions.OrderBy(r => r.Start))
        {
            if (range.Start < position || range.Length < 0 || range.Start + range.Length > asset.Length)
                throw new LoomDataException($"{Label}: exclusion {range.Start}+{range.Length} lies outside the asset");
            hash.AppendData(asset[(int)position..(int)range.Start]);
            position = range.Start + range.Length;
        }
        hash.AppendData(asset[(int)position..]);
        return hash.GetHashAndReset();
    }

    public byte[] ToCbor()
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        w.WriteStartMap(Exclusions.Count > 0 ? 5 : 4);
        if (Exclusions.Count > 0)
        {
            w.WriteTextString("exclusions");
            w.WriteStartArray(Exclusions.Count);
            foreach (var range in Exclusions)
            {
                w.WriteStartMap(2);
                w.WriteTextString("start");
                w.WriteInt64(range.Start);
                w.WriteTextString("length");
                w.WriteInt64(range.Length);
                w.WriteEndMap();
            }
            w.WriteEndArray();
        }
        w.WriteTextString("name");
        w.WriteTextString("jumbf manifest");
        w.WriteTextString("alg");
        w.WriteTextString("sha256");
        w.WriteTextString("hash");
        w.WriteByteString(Hash);
        w.WriteTextString("pad");
        w.WriteByteString([]);
        w.WriteEndMap();
        return w.Encode();
    }

    public static DataHashAssertion FromCbor(byte[] cbor)
    {
        var map = CborTree.DecodeMap(cbor, Label);
        if (map.TryGetValue("alg", out var alg) && alg is string name && name != "sha256")
            throw new LoomDataException($"{Label}: hash algorithm '{name}' is not supported (Loom reads sha256)");
        var hash = map.GetValueOrDefault("hash") as byte[] ?? throw new LoomDataException($"{Label}: no hash");
        var exclusions = new List<HashRange>();
        if (map.GetValueOrDefault("exclusions") is List<object?> list)
            foreach (var item in list)
            {
                if (item is not Dictionary<string, object?> range
                    || range.GetValueOrDefault("start") is not long start || range.GetValueOrDefault("length") is not long length)
                    throw new LoomDataException($"{Label}: an exclusion is not a start/length map");
                exclusions.Add(new HashRange(start, length));
            }
        return new DataHashAssertion(exclusions, hash);
    }
}
