using System.Formats.Cbor;
using Loom.Core;

namespace Loom.Provenance;

/// <summary>
/// Decodes CBOR into plain .NET values: maps with text keys become <see cref="Dictionary{TKey,TValue}"/> of string to
/// object, arrays become lists, byte strings <c>byte[]</c>, text <c>string</c>, integers <c>long</c>, floats
/// <c>double</c>; tags are skipped. Enough for reading C2PA claims and assertions.
/// </summary>
internal static class CborTree
{
    public static object? Decode(byte[] cbor, string what)
    {
        try
        {
            var reader = new CborReader(cbor, CborConformanceMode.Lax);
            var value = Read(reader);
            if (reader.BytesRemaining != 0) throw new LoomDataException($"{what}: trailing bytes after the CBOR value");
            return value;
        }
        catch (CborContentException e)
        {
            throw new LoomDataException($"{what}: not valid CBOR ({e.Message})", e);
        }
        catch (InvalidOperationException e)
        {
            throw new LoomDataException($"{what}: not valid CBOR ({e.Message})", e);
        }
    }

    /// <summary>Decodes a CBOR map with text keys; anything else is a <see cref="LoomDataException"/>.</summary>
    public static Dictionary<string, object?> DecodeMap(byte[] cbor, string what) =>
        Decode(cbor, what) as Dictionary<string, object?> ?? throw new LoomDataException($"{what}: expected a CBOR map");

    private static object? Read(CborReader reader)
    {
        switch (reader.PeekState())
        {
            case CborReaderState.Tag:
                reader.ReadTag();
                return Read(reader);
            case CborReaderState.StartMap:
                var count = reader.ReadStartMap();
                var map = new Dictionary<string, object?>(count ?? 4);
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    var key = Read(reader);
                    map[Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? ""] = Read(reader);
                }
                reader.ReadEndMap();
                return map;
            case CborReaderState.StartArray:
                reader.ReadStartArray();
                var list = new List<object?>();
                while (reader.PeekState() != CborReaderState.EndArray) list.Add(Read(reader));
                reader.ReadEndArray();
                return list;
            case CborReaderState.ByteString:
                return reader.ReadByteString();
            case CborReaderState.TextString:
                return reader.ReadTextString();
            case CborReaderState.UnsignedInteger:
            case CborReaderState.NegativeInteger:
                return reader.ReadInt64();
            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                return reader.ReadDouble();
            case CborReaderState.Boolean:
                return reader.ReadBoolean();
            case CborReaderState.Null:
                reader.ReadNull();
                return null;
            default:
                reader.SkipValue();
                return null;
        }
    }
}
