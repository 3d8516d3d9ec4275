using System.Buffers.Binary;
using System.Text;
using Loom.Core;

namespace Loom.Provenance;

/// <summary>
/// A parsed JUMBF superbox: its label and type from the description box, its child superboxes, its plain content
/// boxes and the raw payload (description box and children, without the superbox's own 8-byte header), which is
/// what C2PA hashes when a claim references the box.
/// </summary>
internal sealed record JumbfSuperBox(
    string Label,
    byte[] TypeUuid,
    IReadOnlyList<JumbfSuperBox> Children,
    IReadOnlyList<(string Type, byte[] Payload)> Contents,
    byte[] Payload)
{
    /// <summary>The child superbox labelled <paramref name="label"/>, or null.</summary>
    public JumbfSuperBox? Child(string label) => Children.FirstOrDefault(c => c.Label == label);

    /// <summary>The payload of the first content box of type <paramref name="type"/>, or null.</summary>
    public byte[]? Content(string type) => Contents.FirstOrDefault(c => c.Type == type).Payload;

    /// <summary>Parses the one superbox <paramref name="bytes"/> holds; <paramref name="what"/> names it in errors.</summary>
    public static JumbfSuperBox Parse(ReadOnlySpan<byte> bytes, string what)
    {
        var (type, size) = ReadBox(bytes, what);
        if (type != "jumb") throw Bad(what, $"expected a JUMBF superbox, found a '{type}' box");
        if (size != bytes.Length) throw Bad(what, "trailing bytes after the JUMBF superbox");
        return ParsePayload(bytes[8..size], what);
    }

    private static JumbfSuperBox ParsePayload(ReadOnlySpan<byte> payload, string what)
    {
        var (firstType, used) = ReadBox(payload, what);
        var description = payload[8..used];
        if (firstType != "jumd" || description.Length < 17) throw Bad(what, "a JUMBF superbox lacks its description box");
        var typeUuid = description[..16].ToArray();
        var label = "";
        if ((description[16] & 0x02) != 0)
        {
            var end = description[17..].IndexOf((byte)0);
            if (end < 0) throw Bad(what, "a JUMBF label is not terminated");
            label = Encoding.UTF8.GetString(description.Slice(17, end));
        }
        var children = new List<JumbfSuperBox>();
        var contents = new List<(string, byte[])>();
        for (var rest = payload[used..]; rest.Length > 0;)
        {
            var (type, size) = ReadBox(rest, what);
            var body = rest[8..size];
            if (type == "jumb") children.Add(ParsePayload(body, what));
            else contents.Add((type, body.ToArray()));
            rest = rest[size..];
        }
        return new JumbfSuperBox(label, typeUuid, children, contents, payload.ToArray());
    }

    /// <summary>The type and whole size of the box <paramref name="bytes"/> starts with.</summary>
    private static (string Type, int Size) ReadBox(ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length < 8) throw Bad(what, "a JUMBF box is cut short");
        var size = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (size < 8 || size > bytes.Length) throw Bad(what, $"a JUMBF box claims {size} bytes, {bytes.Length} are left");
        return (Encoding.ASCII.GetString(bytes.Slice(4, 4)), (int)size);
    }

    private static LoomDataException Bad(string what, string problem) => new($"{what}: {problem}");
}
