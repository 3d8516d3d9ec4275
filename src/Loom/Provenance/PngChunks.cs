using System.Buffers.Binary;
using System.Text;
using Loom.Core;

namespace Loom.Provenance;

/// <summary>
/// Reads the chunk layout of a PNG file and writes chunks (length, type, data, CRC-32), so a C2PA manifest store
/// can go into a <c>caBX</c> chunk right after <c>IHDR</c>, where c2pa-rs puts it.
/// </summary>
internal static class PngChunks
{
    public const string ManifestChunk = "caBX";
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>One chunk: its type, where it starts (the length field) and the length of its data.</summary>
    public readonly record struct Chunk(string Type, int Start, int DataLength)
    {
        /// <summary>The chunk's whole size: length, type, data and CRC.</summary>
        public int Size => DataLength + 12;

        public int End => Start + Size;
    }

    /// <summary>The chunks of <paramref name="png"/> up to and including <c>IEND</c>; <paramref name="what"/> names it in errors.</summary>
    public static IReadOnlyList<Chunk> Parse(ReadOnlySpan<byte> png, string what)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
            throw new LoomDataException($"{what}: not a PNG file");
        var chunks = new List<Chunk>();
        var position = Signature.Length;
        while (chunks.Count == 0 || chunks[^1].Type != "IEND")
        {
            if (position + 12 > png.Length) throw new LoomDataException($"{what}: the PNG is cut short (no IEND chunk)");
            var length = BinaryPrimitives.ReadUInt32BigEndian(png[position..]);
            if (length > int.MaxValue || position + 12 + (long)length > png.Length)
                throw new LoomDataException($"{what}: a PNG chunk runs past the end of the file");
            chunks.Add(new Chunk(Encoding.ASCII.GetString(png.Slice(position + 4, 4)), position, (int)length));
            position = chunks[^1].End;
        }
        if (chunks[0].Type != "IHDR") throw new LoomDataException($"{what}: the PNG does not start with an IHDR chunk");
        return chunks;
    }

    /// <summary>A whole chunk of <paramref name="type"/> holding <paramref name="data"/>, with its CRC.</summary>
    public static byte[] Encode(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[data.Length + 12];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4, 4));
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>The data of <paramref name="chunk"/> inside <paramref name="png"/>.</summary>
    public static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> png, Chunk chunk) => png.Slice(chunk.Start + 8, chunk.DataLength);

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
