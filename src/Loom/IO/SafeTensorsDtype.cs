using Loom.Core;
using static TorchSharp.torch;

namespace Loom.IO;

/// <summary>Maps safetensors dtype names to TorchSharp scalar types and element sizes.</summary>
public static class SafeTensorsDtype
{
    private static readonly (string Name, ScalarType Type, int Size)[] Table =
    [
        ("BOOL", ScalarType.Bool, 1),
        ("U8", ScalarType.Byte, 1),
        ("I8", ScalarType.Int8, 1),
        ("I16", ScalarType.Int16, 2),
        ("I32", ScalarType.Int32, 4),
        ("I64", ScalarType.Int64, 8),
        ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2),
        ("F32", ScalarType.Float32, 4),
        ("F64", ScalarType.Float64, 8),
    ];

    /// <summary>Dtype names of the format that Loom reads and writes.</summary>
    public static IEnumerable<string> Supported => Table.Select(t => t.Name);

    public static bool TryParse(string name, out ScalarType type, out int size)
    {
        foreach (var entry in Table)
        {
            if (entry.Name == name)
            {
                type = entry.Type;
                size = entry.Size;
                return true;
            }
        }
        type = default;
        size = 0;
        return false;
    }

    public static string NameOf(ScalarType type, string context)
    {
        foreach (var entry in Table)
            if (entry.Type == type)
                return entry.Name;
        throw new LoomDataException($"{context}: dtype {type} cannot be stored in safetensors (supported: {string.Join(", ", Supported)})");
    }

    public static int SizeOf(ScalarType type, string context)
    {
        foreach (var entry in Table)
            if (entry.Type == type)
                return entry.Size;
        throw new LoomDataException($"{context}: dtype {type} cannot be stored in safetensors");
    }
}
