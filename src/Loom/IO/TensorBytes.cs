using TorchSharp;
using static TorchSharp.torch;

namespace Loom.IO;

/// <summary>
/// Moves a contiguous CPU tensor's bytes to and from a stream straight through its native memory, in spans of at most
/// 1 GiB, with no managed buffer (TorchSharp's own stream helpers allocate one on every call and copy through it).
/// </summary>
internal static class TensorBytes
{
    private const long ChunkBytes = 1L << 30;

    /// <summary>Fills <paramref name="target"/> from the stream; <see cref="EndOfStreamException"/> when it ends first.</summary>
    public static void ReadExactly(Stream stream, Tensor target)
    {
        foreach (var chunk in Chunks(target))
            using (chunk)
                stream.ReadExactly(chunk.bytes);
    }

    /// <summary>Writes <paramref name="source"/>'s bytes to the stream.</summary>
    public static void Write(Stream stream, Tensor source)
    {
        foreach (var chunk in Chunks(source))
            using (chunk)
                stream.Write(chunk.bytes);
    }

    /// <summary>Views of the tensor's bytes in order, each small enough for a span.</summary>
    private static IEnumerable<Tensor> Chunks(Tensor tensor)
    {
        if (!tensor.is_contiguous() || tensor.device_type != DeviceType.CPU)
            throw new ArgumentException("TensorBytes needs a contiguous CPU tensor", nameof(tensor));
        long count = tensor.numel();
        if (count == 0) yield break;
        long perChunk = Math.Max(1, ChunkBytes / tensor.ElementSize);
        for (long start = 0; start < count; start += perChunk)
        {
            using var flat = tensor.view(-1);
            yield return flat.narrow(0, start, Math.Min(perChunk, count - start));
        }
    }
}
