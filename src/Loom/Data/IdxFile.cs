using System.Buffers.Binary;
using System.IO.Compression;
using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Data;

/// <summary>
/// IDX files (the MNIST / Fashion-MNIST container), raw or gzip-compressed. Layout: two zero bytes, a dtype byte
/// (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64), the number of dimensions, one big-endian 32-bit
/// size per dimension, then the values big-endian in row-major order. Gzip is detected by its magic bytes
/// (1f 8b), not by the file name. Any malformed file is a one-line <see cref="LoomDataException"/> naming it.
/// </summary>
public static class IdxFile
{
    private static readonly (byte Code, ScalarType Type, int Size, string Name)[] Types =
    {
        (0x08, ScalarType.Byte, 1, "u8"),
        (0x09, ScalarType.Int8, 1, "i8"),
        (0x0B, ScalarType.Int16, 2, "i16"),
        (0x0C, ScalarType.Int32, 4, "i32"),
        (0x0D, ScalarType.Float32, 4, "f32"),
        (0x0E, ScalarType.Float64, 8, "f64"),
    };

    /// <summary>Reads the file as a CPU tensor with the IDX shape and dtype (u8 becomes <see cref="ScalarType.Byte"/>).</summary>
    public static Tensor Read(string path)
    {
        var bytes = Decompress(TextFile.ReadBytes(path), path);
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new LoomDataException($"{path}: not an IDX file (bad magic number; expected 00 00 <dtype> <ndim>)");
        var typeIndex = Array.FindIndex(Types, t => t.Code == bytes[2]);
        if (typeIndex < 0)
            throw new LoomDataException($"{path}: unknown IDX data type 0x{bytes[2]:X2} (expected 08, 09, 0B, 0C, 0D or 0E)");
        var (_, type, size, _) = Types[typeIndex];
        int ndim = bytes[3];
        if (ndim == 0)
            throw new LoomDataException($"{path}: IDX header has 0 dimensions");
        long headerLength = 4 + 4L * ndim;
        if (bytes.Length < headerLength)
            throw new LoomDataException($"{path}: truncated IDX header ({bytes.Length} bytes, header needs {headerLength})");
        var shape = new long[ndim];
        long count = 1;
        for (int i = 0; i < ndim; i++)
        {
            uint dim = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dim > int.MaxValue)
                throw new LoomDataException($"{path}: IDX dimension {i} is {dim}, too large");
            shape[i] = dim;
            count = checked(count * dim);
        }
        long expected = count * size;
        long actual = bytes.Length - headerLength;
        if (actual != expected)
        {
            var what = actual < expected ? "truncated" : "has trailing bytes";
            throw new LoomDataException(
                $"{path}: IDX data {what}: shape [{string.Join(", ", shape)}] of {Types[typeIndex].Name} needs "
                    + $"{expected} bytes, found {actual}");
        }
        var data = bytes.AsSpan((int)headerLength).ToArray();
        SwapEndianness(data, size);
        var tensor = torch.empty(shape, dtype: type);
        tensor.bytes = data;
        return tensor;
    }

    /// <summary>
    /// Writes <paramref name="tensor"/> (Byte, Int8, Int16, Int32, Float32 or Float64, at least one dimension) as an IDX
    /// file, atomically; gzip-compressed when <paramref name="path"/> ends with ".gz".
    /// </summary>
    public static void Write(string path, Tensor tensor)
    {
        var typeIndex = Array.FindIndex(Types, t => t.Type == tensor.dtype);
        if (typeIndex < 0)
            throw new LoomDataException(
                $"{path}: IDX cannot store {tensor.dtype} tensors (use Byte, Int8, Int16, Int32, Float32 or Float64)");
        if (tensor.dim() == 0 || tensor.dim() > 255)
            throw new LoomDataException($"{path}: IDX needs 1 to 255 dimensions, the tensor has {tensor.dim()}");
        var (code, _, size, _) = Types[typeIndex];
        using var cpu = tensor.detach().cpu().contiguous();
        var data = cpu.bytes.ToArray();
        SwapEndianness(data, size);
        var header = new byte[4 + 4 * cpu.dim()];
        header[2] = code;
        header[3] = (byte)cpu.dim();
        for (int i = 0; i < cpu.dim(); i++)
        {
            if (cpu.shape[i] > int.MaxValue)
                throw new LoomDataException($"{path}: dimension {i} ({cpu.shape[i]}) is too large for IDX");
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), (uint)cpu.shape[i]);
        }
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        IO.AtomicFile.Write(path, stream =>
        {
            if (gzip)
            {
                using var z = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
                z.Write(header);
                z.Write(data);
            }
            else
            {
                stream.Write(header);
                stream.Write(data);
            }
        });
    }

    /// <summary>True when the bytes start with the gzip magic number 1f 8b.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    private static byte[] Decompress(byte[] bytes, string path)
    {
        if (!IsGzip(bytes))
            return bytes;
        try
        {
            using var input = new MemoryStream(bytes);
            using var z = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            z.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new LoomDataException($"{path}: corrupt gzip data ({e.Message.Split('\n')[0].Trim()})", e);
        }
    }

    /// <summary>Big-endian file order to the machine's order (and back: the swap is its own inverse).</summary>
    private static void SwapEndianness(byte[] data, int size)
    {
        if (size == 1 || !BitConverter.IsLittleEndian)
            return;
        for (int i = 0; i < data.Length; i += size)
            Array.Reverse(data, i, size);
    }
}
