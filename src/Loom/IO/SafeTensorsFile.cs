using System.Text;
using System.Text.Json;
using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.IO;

/// <summary>
/// Loom's reader and writer for the safetensors format (8-byte little-endian header length, JSON header,
/// raw little-endian row-major tensor bytes). Writes are atomic and deterministic (names sorted, header padded
/// with spaces to 8 bytes); tensors are streamed one at a time in both directions.
/// </summary>
public static class SafeTensorsFile
{
    internal const int StreamBuffer = 1 << 20;

    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (names.Contains("__metadata__"))
            throw new LoomDataException($"{path}: '__metadata__' is reserved and cannot name a tensor");
        var header = BuildHeader(path, names, tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var name in names)
            {
                using var scope = torch.NewDisposeScope();
                var cpu = tensors[name].detach().cpu().contiguous();
                if (cpu.numel() > 0)
                    TensorBytes.Write(stream, cpu);
            }
        });
    }

    /// <summary>Loads every tensor (on <paramref name="device"/>, CPU by default) and the metadata.</summary>
    public static SafeTensorsContent Load(string path, Device? device = null)
    {
        using var stream = OpenRead(path);
        var header = SafeTensorsHeader.Read(stream, path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Entries)
                tensors[entry.Name] = ReadEntry(stream, header, entry, device);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new SafeTensorsContent(tensors, header.Metadata);
    }

    /// <summary>Reads one tensor without reading the others.</summary>
    public static Tensor LoadTensor(string path, string name, Device? device = null)
    {
        using var stream = OpenRead(path);
        var header = SafeTensorsHeader.Read(stream, path);
        var entry = header.Entries.FirstOrDefault(e => e.Name == name)
            ?? throw new LoomDataException($"{path}: no tensor named '{name}'");
        return ReadEntry(stream, header, entry, device);
    }

    /// <summary>Reads and validates the header only: names, dtypes, shapes, offsets, metadata.</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        return SafeTensorsHeader.Read(stream, path);
    }

    internal static Tensor ReadEntry(FileStream stream, SafeTensorsHeader header, SafeTensorEntry entry, Device? device)
    {
        SafeTensorsDtype.TryParse(entry.Dtype, out var type, out _);
        var tensor = torch.empty(entry.Shape, dtype: type);
        if (entry.End > entry.Begin)
        {
            stream.Position = header.DataStart + entry.Begin;
            try
            {
                TensorBytes.ReadExactly(stream, tensor);
            }
            catch (EndOfStreamException e)
            {
                tensor.Dispose();
                throw new LoomDataException($"{stream.Name}: truncated while reading tensor '{entry.Name}'", e);
            }
        }
        if (device is null || device.type == DeviceType.CPU)
            return tensor;
        var moved = tensor.to(device);
        tensor.Dispose();
        return moved;
    }

    private static byte[] BuildHeader(string path, List<string> names, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in names)
            {
                var t = tensors[name];
                var context = $"{path}: tensor '{name}'";
                var dtype = SafeTensorsDtype.NameOf(t.dtype, context);
                long bytes = t.numel() * SafeTensorsDtype.SizeOf(t.dtype, context);
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (var d in t.shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    internal static FileStream OpenRead(string path)
    {
        if (Directory.Exists(path))
            throw new LoomDataException($"{path}: is a folder, not a safetensors file");
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: no such file");
        Checkpoints.RegularFiles.Require(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, StreamBuffer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoomDataException($"{path}: cannot be read ({e.Message.Split('\n')[0]})", e);
        }
    }
}

/// <summary>Tensors and metadata read from a safetensors file; disposing it disposes the tensors.</summary>
public sealed class SafeTensorsContent(IReadOnlyDictionary<string, Tensor> tensors,
    IReadOnlyDictionary<string, string> metadata) : IDisposable
{
    public IReadOnlyDictionary<string, Tensor> Tensors { get; } = tensors;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}
