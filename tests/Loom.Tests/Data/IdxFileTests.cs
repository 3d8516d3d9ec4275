using Loom.Tests.Support;
using System.Buffers.Binary;
using System.IO.Compression;
using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Data;

public class IdxFileTests
{
    /// <summary>Builds an IDX byte image by hand (independent of IdxFile.Write).</summary>
    private static byte[] HandMadeIdx(byte dtype, int[] dims, byte[] bigEndianData)
    {
        var bytes = new byte[4 + 4 * dims.Length + bigEndianData.Length];
        bytes[2] = dtype;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        bigEndianData.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var z = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            z.Write(bytes);
        return output.ToArray();
    }

    [Fact]
    public void ReadsHandMadeU8FileRawAndGzippedWithoutGzExtension()
    {
        using var tmp = new TempFolder();
        var data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 10)).ToArray();
        var raw = HandMadeIdx(0x08, new[] { 2, 3, 4 }, data);
        File.WriteAllBytes(tmp.File("a.idx"), raw);
        File.WriteAllBytes(tmp.File("b.bin"), Gzip(raw)); // gzip detected by magic bytes, not by name
        foreach (var name in new[] { "a.idx", "b.bin" })
        {
            using var t = IdxFile.Read(tmp.File(name));
            Assert.Equal(ScalarType.Byte, t.dtype);
            Assert.Equal(new long[] { 2, 3, 4 }, t.shape);
            Assert.Equal(data, t.data<byte>().ToArray());
            Assert.Equal((byte)(10 * (1 * 12 + 2 * 4 + 3)), t[1, 2, 3].item<byte>());
        }
    }

    [Fact]
    public void ReadsBigEndianMultiByteTypes()
    {
        using var tmp = new TempFolder();
        var i32 = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(i32, -123456);
        BinaryPrimitives.WriteInt32BigEndian(i32.AsSpan(4), 7);
        File.WriteAllBytes(tmp.File("i.idx"), HandMadeIdx(0x0C, new[] { 2 }, i32));
        using (var t = IdxFile.Read(tmp.File("i.idx")))
            Assert.Equal(new[] { -123456, 7 }, t.data<int>().ToArray());

        var f64 = new byte[16];
        BinaryPrimitives.WriteDoubleBigEndian(f64, Math.PI);
        BinaryPrimitives.WriteDoubleBigEndian(f64.AsSpan(8), -0.5);
        File.WriteAllBytes(tmp.File("d.idx"), HandMadeIdx(0x0E, new[] { 1, 2 }, f64));
        using (var t = IdxFile.Read(tmp.File("d.idx")))
        {
            Assert.Equal(ScalarType.Float64, t.dtype);
            Assert.Equal(new[] { Math.PI, -0.5 }, t.data<double>().ToArray());
        }
    }

    [Theory]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Int8)]
    [InlineData(ScalarType.Int16)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void WriteThenReadRoundTripsEveryType(ScalarType type)
    {
        using var tmp = new TempFolder();
        using var source = (torch.arange(-30, 30, dtype: ScalarType.Float64) * 1.5).reshape(3, 4, 5);
        using var t = type is ScalarType.Byte ? (source + 50).to(type) : source.to(type);
        foreach (var name in new[] { "x.idx", "x.idx.gz" })
        {
            IdxFile.Write(tmp.File(name), t);
            using var back = IdxFile.Read(tmp.File(name));
            Assert.Equal(type, back.dtype);
            Assert.Equal(t.shape, back.shape);
            Assert.True(Same(t, back));
        }
        Assert.True(IdxFile.IsGzip(File.ReadAllBytes(tmp.File("x.idx.gz"))));
        Assert.False(IdxFile.IsGzip(File.ReadAllBytes(tmp.File("x.idx"))));
    }

    [Fact]
    public void WrittenHeaderIsBigEndianIdx()
    {
        using var tmp = new TempFolder();
        using var t = torch.zeros(new long[] { 300, 2 }, dtype: ScalarType.Int16);
        IdxFile.Write(tmp.File("h.idx"), t);
        var bytes = File.ReadAllBytes(tmp.File("h.idx"));
        Assert.Equal(new byte[] { 0, 0, 0x0B, 2, 0, 0, 1, 44, 0, 0, 0, 2 }, bytes[..12]);
        Assert.Equal(12 + 300 * 2 * 2, bytes.Length);
    }

    [Fact]
    public void BadMagicIsOneLineErrorNamingTheFile()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("bad.idx");
        File.WriteAllBytes(path, new byte[] { 1, 0, 8, 1, 0, 0, 0, 1, 5 });
        var e = Assert.Throws<LoomDataException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void UnknownTypeIsAnError()
    {
        using var tmp = new TempFolder();
        var path = tmp.File("t.idx");
        File.WriteAllBytes(path, HandMadeIdx(0x0A, new[] { 1 }, new byte[] { 1 }));
        var e = Assert.Throws<LoomDataException>(() => IdxFile.Read(path));
        Assert.Contains("0x0A", e.Message);
    }

    [Fact]
    public void TruncatedAndTrailingDataAreErrors()
    {
        using var tmp = new TempFolder();
        var truncated = tmp.File("short.idx.gz");
        File.WriteAllBytes(truncated, Gzip(HandMadeIdx(0x08, new[] { 2, 3 }, new byte[5])));
        var e1 = Assert.Throws<LoomDataException>(() => IdxFile.Read(truncated));
        Assert.Contains(truncated, e1.Message);
        Assert.Contains("truncated", e1.Message);

        var trailing = tmp.File("long.idx");
        File.WriteAllBytes(trailing, HandMadeIdx(0x0D, new[] { 2 }, new byte[9]));
        var e2 = Assert.Throws<LoomDataException>(() => IdxFile.Read(trailing));
        Assert.Contains("trailing", e2.Message);
        Assert.Contains("needs 8 bytes, found 9", e2.Message);

        var header = tmp.File("header.idx");
        File.WriteAllBytes(header, new byte[] { 0, 0, 8, 3, 0, 0, 0, 1 });
        Assert.Contains("truncated IDX header", Assert.Throws<LoomDataException>(() => IdxFile.Read(header)).Message);
    }

    [Fact]
    public void CorruptGzipMissingAndEmptyFilesAreErrors()
    {
        using var tmp = new TempFolder();
        var gz = Gzip(HandMadeIdx(0x08, new[] { 64 }, new byte[64]));
        for (int i = 12; i < gz.Length - 8; i++)
            gz[i] ^= 0x5A;
        File.WriteAllBytes(tmp.File("c.gz"), gz);
        var e = Assert.Throws<LoomDataException>(() => IdxFile.Read(tmp.File("c.gz")));
        Assert.Contains(tmp.File("c.gz"), e.Message);

        Assert.Contains("no such file", Assert.Throws<LoomDataException>(() => IdxFile.Read(tmp.File("none.idx"))).Message);
        File.WriteAllBytes(tmp.File("empty.idx"), Array.Empty<byte>());
        Assert.Contains("empty", Assert.Throws<LoomDataException>(() => IdxFile.Read(tmp.File("empty.idx"))).Message);
    }

    [Fact]
    public void WriteRejectsUnsupportedTypes()
    {
        using var tmp = new TempFolder();
        using var t = torch.zeros(3, dtype: ScalarType.Int64);
        Assert.Throws<LoomDataException>(() => IdxFile.Write(tmp.File("l.idx"), t));
        Assert.False(File.Exists(tmp.File("l.idx")));
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
