using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.IO;

/// <summary>
/// A safetensors file open for reading one tensor at a time: the header is read once, and a caller that copies each
/// tensor into a model and disposes it holds one tensor's memory beside the model (large checkpoints load in about
/// their own size).
/// </summary>
public sealed class SafeTensorsReader : IDisposable
{
    private readonly FileStream stream;
    private readonly Dictionary<string, SafeTensorEntry> entries;

    public SafeTensorsReader(string path)
    {
        Path = path;
        stream = SafeTensorsFile.OpenRead(path);
        try
        {
            Header = SafeTensorsHeader.Read(stream, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        entries = Header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    public string Path { get; }
    public SafeTensorsHeader Header { get; }

    /// <summary>The header entry of <paramref name="name"/>, or null when the file has no such tensor.</summary>
    public SafeTensorEntry? Entry(string name) => entries.GetValueOrDefault(name);

    /// <summary>
    /// Reads the tensor <paramref name="name"/> (its stored dtype, on <paramref name="device"/>); the caller disposes it.
    /// </summary>
    public Tensor Read(string name, Device? device = null)
    {
        var entry = Entry(name) ?? throw new LoomDataException($"{Path}: no tensor named '{name}'");
        return SafeTensorsFile.ReadEntry(stream, Header, entry, device);
    }

    /// <summary>
    /// Reads the tensor <paramref name="name"/> into <paramref name="target"/> (a contiguous CPU tensor of its stored dtype
    /// and shape) without making a tensor of it first; false when the target cannot take the bytes as they are (another
    /// dtype, device or layout), and nothing was read.
    /// </summary>
    public bool TryReadInto(string name, Tensor target)
    {
        var entry = Entry(name) ?? throw new LoomDataException($"{Path}: no tensor named '{name}'");
        if (!SafeTensorsDtype.TryParse(entry.Dtype, out var type, out _) || type != target.dtype
            || target.device_type != DeviceType.CPU || !target.is_contiguous() || !entry.Shape.SequenceEqual(target.shape))
            return false;
        if (entry.End > entry.Begin)
        {
            stream.Position = Header.DataStart + entry.Begin;
            try
            {
                TensorBytes.ReadExactly(stream, target);
            }
            catch (EndOfStreamException e)
            {
                throw new LoomDataException($"{Path}: truncated while reading tensor '{name}'", e);
            }
        }
        return true;
    }

    public void Dispose() => stream.Dispose();
}
