using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace Loom.Tests.Support;

/// <summary>
/// One damaged copy of a checkpoint file: <see cref="Apply"/> rewrites the file at a path. <see cref="Structural"/> cases
/// break the file's format (a reader must refuse them even with no manifest to compare against); the others change
/// content a format cannot tell from a valid file (a flipped bit in the weights, another value in the config), which
/// only the manifest catches — without it they may load, but must then give a working model.
/// </summary>
public sealed record CorruptionCase(string File, string Name, bool Structural, Action<string> Apply)
{
    public override string ToString() => $"{File}: {Name}";
}

/// <summary>
/// Generates corruption cases for the two file formats of a checkpoint: safetensors (header length, header JSON,
/// dtypes, shapes, offsets, truncation, bit flips, non-finite values, trailing bytes) and JSON (every value replaced by
/// values of other types and out-of-range numbers, keys removed, text cut short, garbage), plus special files (a FIFO,
/// a folder, a link to /dev/zero, an empty file, a dangling link) for both. Deterministic for a seed.
/// </summary>
public static class CorruptionCases
{
    public static IEnumerable<CorruptionCase> SafeTensors(string name, byte[] original, int seed)
    {
        var random = new Random(seed);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(original);
        int dataStart = 8 + (int)headerLength;
        var header = JsonNode.Parse(Encoding.UTF8.GetString(original, 8, (int)headerLength))!.AsObject();
        CorruptionCase Bytes(string what, bool structural, Func<byte[]> make) =>
            new(name, what, structural, p => System.IO.File.WriteAllBytes(p, make()));

        foreach (ulong prefix in new ulong[] { 0, 1, 2, headerLength - 1, headerLength + 1, headerLength + 8, (ulong)original.Length,
                     (ulong)original.Length - 8, 1UL << 31, (1UL << 32) + headerLength, 1UL << 63, ulong.MaxValue, 100_000_001 })
            yield return Bytes($"header length {prefix}", true, () =>
            {
                var b = (byte[])original.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(b, prefix);
                return b;
            });

        var cuts = new List<int>
        {
            0, 1, 7, 8, 9, 8 + dataStart / 2, dataStart - 1, dataStart, dataStart + 1, original.Length - 1, original.Length - 4
        };
        for (int i = 0; i < 9; i++) cuts.Add(random.Next(1, original.Length - 1));
        foreach (int cut in cuts.Distinct())
            yield return Bytes($"truncated to {cut} bytes", true, () => original[..cut]);

        var tensors = header.Where(p => p.Key != "__metadata__").Select(p => p.Key).Take(2).ToList();
        foreach (var tensor in tensors)
        {
            var entry = header[tensor]!.AsObject();
            var shape = entry["shape"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
            var offsets = entry["data_offsets"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
            long start = offsets[0], end = offsets[1], size = original.Length - dataStart;
            string dtype = entry["dtype"]!.GetValue<string>();
            foreach (JsonNode? value in new JsonNode?[]
            {
                "F64", "F16", "BF16", "I64", "I32", "U8", "BOOL", "F8_E4M3", "C64", "XYZ", "", " F32", 5, null
            })
                if (value?.ToJsonString() != JsonValue.Create(dtype).ToJsonString())
                    yield return Header($"{tensor}.dtype = {value?.ToJsonString() ?? "null"}",
                        h => h[tensor]!["dtype"] = value?.DeepClone());
            var shapes = new List<JsonNode?>
            {
                new JsonArray(), new JsonArray(0), new JsonArray(-1), new JsonArray(1_000_000_000_000L),
                new JsonArray([.. shape.Select(s => (JsonNode)s), 1]), new JsonArray([.. shape.Skip(1).Select(s => (JsonNode)s)]),
                new JsonArray([.. shape.Select(s => (JsonNode)(s * 2))]), new JsonArray(1L << 62, 1L << 62), new JsonArray("a"), null,
                new JsonArray(1.5),
            };
            foreach (var value in shapes)
                yield return Header($"{tensor}.shape = {value?.ToJsonString() ?? "null"}", h => h[tensor]!["shape"] = value?.DeepClone());
            var offsetCases = new List<JsonNode?>
            {
                new JsonArray(0, 0), new JsonArray(end, start), new JsonArray(start - 1, end - 1), new JsonArray(start + 1, end + 1),
                new JsonArray(start, end + 1), new JsonArray(start, end - 1), new JsonArray(0, size * 2), new JsonArray(-1, 4),
                new JsonArray(long.MaxValue - 4, long.MaxValue), new JsonArray("a", "b"), new JsonArray(start), null,
                new JsonArray(size, size + (end - start)),
            };
            foreach (var value in offsetCases.Where(v => v?.ToJsonString() != new JsonArray(start, end).ToJsonString()))
                yield return Header($"{tensor}.data_offsets = {value?.ToJsonString() ?? "null"}",
                    h => h[tensor]!["data_offsets"] = value?.DeepClone());
            yield return Header($"{tensor} removed", h => h.Remove(tensor));
            yield return Header($"{tensor} renamed", h =>
            {
                var moved = h[tensor]!.DeepClone();
                h.Remove(tensor);
                h[tensor + ".renamed"] = moved;
            });
        }
        yield return Header("__metadata__ an array", h => h["__metadata__"] = new JsonArray(1, 2));
        yield return Header("__metadata__ with a number", h => h["__metadata__"] = new JsonObject { ["kind"] = 3 });
        yield return Header("__metadata__ names another kind", h => h["__metadata__"] = new JsonObject { ["kind"] = "not-a-kind" });
        yield return Header("an empty header", h => h.Clear());
        foreach (var (what, text) in new[]
                 {
                     ("header an array", "[1,2,3]"), ("header a string", "\"x\""), ("header not JSON", "{\"a\": [1, 2"),
                     ("header nested 100,000 deep", new string('[', 100_000) + new string(']', 100_000)),
                     ("header with a BOM", "\uFEFF" + header.ToJsonString()),
                 })
            yield return Bytes(what, true, () => WithHeader(Encoding.UTF8.GetBytes(text), original, dataStart));
        yield return Bytes("header not UTF-8", true, () =>
        {
            var b = (byte[])original.Clone();
            b[9] = 0xC3;
            b[10] = 0x28;
            return b;
        });

        for (int i = 0; i < 30; i++)
        {
            int at = random.Next(original.Length);
            int bit = random.Next(8);
            yield return Bytes($"bit {bit} of byte {at} flipped", false, () =>
            {
                var b = (byte[])original.Clone();
                b[at] ^= (byte)(1 << bit);
                return b;
            });
        }

        var floatTensor = header.FirstOrDefault(p => p.Key != "__metadata__" && p.Value!["dtype"]!.GetValue<string>() is "F32" or "F64");
        if (floatTensor.Key is not null)
        {
            var offsets = floatTensor.Value!["data_offsets"]!.AsArray().Select(n => (int)n!.GetValue<long>()).ToArray();
            bool f64 = floatTensor.Value["dtype"]!.GetValue<string>() == "F64";
            int width = f64 ? 8 : 4, count = (offsets[1] - offsets[0]) / width;
            foreach (var (what, value, index) in new[]
            {
                ("NaN", double.NaN, 0), ("+Inf", double.PositiveInfinity, count - 1), ("-Inf", double.NegativeInfinity, count / 2)
            })
                yield return Bytes($"{floatTensor.Key}[{index}] = {what}", true, () =>
                {
                    var b = (byte[])original.Clone();
                    var span = b.AsSpan(dataStart + offsets[0] + index * width);
                    if (f64) BinaryPrimitives.WriteDoubleLittleEndian(span, value);
                    else BinaryPrimitives.WriteSingleLittleEndian(span, (float)value);
                    return b;
                });
            yield return Bytes($"{floatTensor.Key} all bytes 0xFF", true, () =>
            {
                var b = (byte[])original.Clone();
                b.AsSpan(dataStart + offsets[0], offsets[1] - offsets[0]).Fill(0xFF);
                return b;
            });
        }
        yield return Bytes("1 byte appended", false, () => [.. original, 0]);
        yield return Bytes("100 bytes appended", false, () => [.. original, .. new byte[100]]);
        foreach (var special in SpecialFiles(name))
            yield return special;

        CorruptionCase Header(string what, Action<JsonObject> change) => Bytes(what, true, () =>
        {
            var h = (JsonObject)header.DeepClone();
            change(h);
            return WithHeader(Encoding.UTF8.GetBytes(h.ToJsonString()), original, dataStart);
        });
    }

    /// <summary>
    /// JSON cases: every value (at most <paramref name="maxValues"/>, depth first) replaced by other types and extreme
    /// numbers or removed (not structural: a reader may have a default), plus text cut short, garbage and special files.
    /// </summary>
    public static IEnumerable<CorruptionCase> Json(string name, string original, int seed, int maxValues = 12)
    {
        var random = new Random(seed);
        var root = JsonNode.Parse(original)!;
        CorruptionCase Text(string what, bool structural, string text) =>
            new(name, what, structural, p => System.IO.File.WriteAllText(p, text));
        var replacements = new JsonNode?[] { -1, 0, 1_000_000_000, 1e300, -1e300, 0.5, "x", null, true, new JsonArray(), new JsonObject() };
        foreach (var path in Leaves(root).Take(maxValues))
        {
            foreach (var value in replacements)
                yield return Text($"{path} = {value?.ToJsonString() ?? "null"}", false,
                    Replace(root, path, value?.DeepClone(), remove: false));
            yield return Text($"{path} removed", false, Replace(root, path, null, remove: true));
        }
        var cuts = new List<int> { 0, 1, original.Length / 2, original.Length - 1 };
        for (int i = 0; i < 4; i++) cuts.Add(random.Next(1, original.Length - 1));
        foreach (int cut in cuts.Distinct())
            yield return Text($"cut to {cut} characters", true, original[..cut]);
        yield return Text("an array", true, "[1, 2, 3]");
        yield return Text("a number", true, "42");
        yield return Text("null", true, "null");
        yield return Text("nested 100,000 deep", true, new string('[', 100_000) + new string(']', 100_000));
        yield return new(name, "not UTF-8", true, p => System.IO.File.WriteAllBytes(p, [0x7B, 0xC3, 0x28, 0x7D]));
        yield return new(name, "random bytes", true, p => System.IO.File.WriteAllBytes(p, RandomBytes(random, 64)));
        foreach (var special in SpecialFiles(name))
            yield return special;
    }

    /// <summary>A FIFO, a folder, a link to /dev/zero, an empty file and a dangling link in place of the file.</summary>
    public static IEnumerable<CorruptionCase> SpecialFiles(string name)
    {
        yield return new(name, "a FIFO", true, p =>
        {
            System.IO.File.Delete(p);
            using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [p]);
            mkfifo.WaitForExit();
        });
        yield return new(name, "a folder", true, p =>
        {
            System.IO.File.Delete(p);
            Directory.CreateDirectory(p);
        });
        yield return new(name, "a link to /dev/zero", true, p =>
        {
            System.IO.File.Delete(p);
            System.IO.File.CreateSymbolicLink(p, "/dev/zero");
        });
        yield return new(name, "empty", true, p => System.IO.File.WriteAllBytes(p, []));
        yield return new(name, "a dangling link", true, p =>
        {
            System.IO.File.Delete(p);
            System.IO.File.CreateSymbolicLink(p, p + ".gone");
        });
    }

    private static byte[] WithHeader(byte[] headerBytes, byte[] original, int dataStart)
    {
        var b = new byte[8 + headerBytes.Length + original.Length - dataStart];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)headerBytes.Length);
        headerBytes.CopyTo(b, 8);
        original.AsSpan(dataStart).CopyTo(b.AsSpan(8 + headerBytes.Length));
        return b;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var b = new byte[count];
        random.NextBytes(b);
        return b;
    }

    /// <summary>Paths (JSON pointer style) of the scalar values and empty containers under <paramref name="node"/>.</summary>
    private static IEnumerable<string> Leaves(JsonNode node, string path = "")
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                foreach (var (key, child) in o)
                    foreach (var leaf in child is null ? [path + "/" + key] : Leaves(child, path + "/" + key))
                        yield return leaf;
                break;
            case JsonArray a when a.Count > 0:
                // The first element stands for the rest: a list of 100 numbers gives one case, not 100.
                foreach (var leaf in a[0] is null ? [path + "/0"] : Leaves(a[0]!, path + "/0"))
                    yield return leaf;
                break;
            default:
                yield return path;
                break;
        }
    }

    private static string Replace(JsonNode root, string path, JsonNode? value, bool remove)
    {
        var copy = root.DeepClone();
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonNode parent = copy;
        foreach (var part in parts[..^1])
            parent = parent is JsonArray pa ? pa[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : parent[part]!;
        string last = parts.Length == 0 ? "" : parts[^1];
        if (parts.Length == 0)
            return value?.ToJsonString() ?? "null";
        if (parent is JsonArray array)
        {
            int i = int.Parse(last, System.Globalization.CultureInfo.InvariantCulture);
            if (remove) array.RemoveAt(i);
            else array[i] = value;
        }
        else if (remove) parent.AsObject().Remove(last);
        else parent[last] = value;
        return copy.ToJsonString();
    }
}
