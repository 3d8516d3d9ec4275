using System.Text;
using System.Text.Json;
using Loom.Core;

namespace Loom.IO;

/// <summary>One tensor's entry in a safetensors header; offsets are relative to the start of the data buffer.</summary>
public sealed record SafeTensorEntry(string Name, string Dtype, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The parsed, validated header of a safetensors file: entries sorted by offset, metadata, and where the data
/// buffer starts. Validation follows the format's rules: the header fits in the file, every tensor's byte range
/// equals dtype size × element count, ranges are in bounds and cover the buffer exactly (no overlap, no gap,
/// no trailing bytes), names are unique, dtypes are known.
/// </summary>
public sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart)
{
    public const long MaxHeaderBytes = 100_000_000;

    public static SafeTensorsHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new LoomDataException($"{path}: truncated safetensors file ({fileLength} bytes; a header length needs 8)");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BitConverter.IsLittleEndian
            ? BitConverter.ToUInt64(lengthBytes)
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new LoomDataException($"{path}: safetensors header length {headerLength} is not plausible (limit {MaxHeaderBytes})");
        if ((long)headerLength > fileLength - 8)
            throw new LoomDataException(
                $"{path}: truncated safetensors file: header says {headerLength} bytes, file has {fileLength - 8} after the length");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        return Parse(headerBytes, path, dataStart, fileLength - dataStart);
    }

    private static SafeTensorsHeader Parse(byte[] headerBytes, string path, long dataStart, long bufferLength)
    {
        JsonDocument doc;
        try
        {
            var text = new UTF8Encoding(false, true).GetString(headerBytes);
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            throw new LoomDataException($"{path}: safetensors header is not valid UTF-8 JSON ({e.Message.Split('\n')[0]})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new LoomDataException($"{path}: safetensors header is not a JSON object");
            var entries = new List<SafeTensorEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                    throw new LoomDataException($"{path}: duplicate tensor name '{property.Name}' in the safetensors header");
                if (property.Name == "__metadata__")
                {
                    ReadMetadata(property.Value, metadata, path);
                    continue;
                }
                entries.Add(ReadEntry(property, path));
            }
            CheckCoverage(entries, bufferLength, path);
            return new SafeTensorsHeader(entries.OrderBy(e => e.Begin).ThenBy(e => e.Name, StringComparer.Ordinal)
                .ToList(), metadata, dataStart);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string path)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new LoomDataException($"{path}: __metadata__ must be an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new LoomDataException($"{path}: __metadata__ value '{item.Name}' is not a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafeTensorEntry ReadEntry(JsonProperty property, string path)
    {
        var name = property.Name;
        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object)
            throw new LoomDataException($"{path}: tensor '{name}': header entry is not an object");
        if (!v.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new LoomDataException($"{path}: tensor '{name}': missing string 'dtype'");
        var dtype = dtypeElement.GetString()!;
        if (!SafeTensorsDtype.TryParse(dtype, out _, out int size))
            throw new LoomDataException(
                $"{path}: tensor '{name}': unsupported dtype '{dtype}' (supported: {string.Join(", ", SafeTensorsDtype.Supported)})");
        if (!v.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new LoomDataException($"{path}: tensor '{name}': missing 'shape' array");
        var shape = new List<long>();
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
                throw new LoomDataException($"{path}: tensor '{name}': shape entries must be non-negative integers");
            shape.Add(d);
        }
        if (!v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new LoomDataException($"{path}: tensor '{name}': 'data_offsets' must be [begin, end] with 0 <= begin <= end");
        var entry = new SafeTensorEntry(name, dtype, shape.ToArray(), begin, end);
        long expected;
        try { expected = checked(entry.ElementCount * size); }
        catch (OverflowException) { throw new LoomDataException($"{path}: tensor '{name}': shape is too large"); }
        if (end - begin != expected)
            throw new LoomDataException(
                $"{path}: tensor '{name}': data_offsets span {end - begin} bytes but {dtype}[{string.Join(", ", shape)}] needs {expected}");
        return entry;
    }

    private static void CheckCoverage(List<SafeTensorEntry> entries, long bufferLength, string path)
    {
        long position = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin == e.End && e.Begin <= position)
                continue; // empty tensors take no bytes
            if (e.Begin < position)
                throw new LoomDataException($"{path}: tensor '{e.Name}' overlaps the previous tensor (offset {e.Begin} < {position})");
            if (e.Begin > position)
                throw new LoomDataException(
                    $"{path}: gap in the data buffer before tensor '{e.Name}' (bytes {position}..{e.Begin} unused)");
            position = e.End;
        }
        if (position > bufferLength)
            throw new LoomDataException($"{path}: truncated safetensors file: tensors need {position} data bytes, file has {bufferLength}");
        if (position < bufferLength)
            throw new LoomDataException($"{path}: {bufferLength - position} trailing bytes after the last tensor");
    }
}
