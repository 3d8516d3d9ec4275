using System.Buffers.Binary;
using System.Text;

namespace Loom.Provenance;

/// <summary>
/// Writes JUMBF boxes (ISO 19566-5): a box is a big-endian 32-bit size, a four-character type and a payload; a
/// superbox (<c>jumb</c>) holds a description box (<c>jumd</c>: type UUID, toggles, label) followed by its children.
/// </summary>
internal static class JumbfWriter
{
    /// <summary>The <c>jumd</c> toggles C2PA uses: requestable and label present.</summary>
    private const byte RequestableWithLabel = 0x03;

    /// <summary>One plain box: size, <paramref name="type"/>, <paramref name="payload"/>.</summary>
    public static byte[] Box(string type, ReadOnlySpan<byte> payload)
    {
        var box = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, checked((uint)box.Length));
        Encoding.ASCII.GetBytes(type, box.AsSpan(4, 4));
        payload.CopyTo(box.AsSpan(8));
        return box;
    }

    /// <summary>A <c>jumb</c> superbox labelled <paramref name="label"/> of type <paramref name="typeUuid"/>.</summary>
    public static byte[] SuperBox(byte[] typeUuid, string label, params byte[][] children)
    {
        var label8 = Encoding.UTF8.GetBytes(label);
        var description = new byte[16 + 1 + label8.Length + 1];
        typeUuid.CopyTo(description, 0);
        description[16] = RequestableWithLabel;
        label8.CopyTo(description, 17);
        using var payload = new MemoryStream();
        payload.Write(Box("jumd", description));
        foreach (var child in children) payload.Write(child);
        return Box("jumb", payload.ToArray());
    }

    /// <summary>A superbox whose only content is one <c>cbor</c> box holding <paramref name="cbor"/>.</summary>
    public static byte[] CborSuperBox(byte[] typeUuid, string label, byte[] cbor) =>
        SuperBox(typeUuid, label, Box("cbor", cbor));
}
