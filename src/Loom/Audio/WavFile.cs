using System.Buffers.Binary;
using System.Text;
using Loom.Core;
using Loom.IO;

namespace Loom.Audio;

/// <summary>
/// RIFF/WAVE files holding 16-bit PCM mono audio: <see cref="Read(string)"/> takes such a file (any sample rate; chunks other
/// than <c>fmt </c> and <c>data</c> are skipped; a data size past the end of the file, as streaming writers leave it, is
/// cut to the bytes present) and refuses any other format with one line; <see cref="Write"/> writes one atomically. A clip
/// may carry a title in a <c>LIST</c>/<c>INFO</c> chunk (<c>INAM</c>, the standard RIFF tag players show as the name):
/// <c>loom sample</c> writes the class a conditional clip was drawn for there, and <see cref="ReadTitle(string)"/> reads it.
/// </summary>
public static class WavFile
{
    /// <summary>Reads a 16-bit PCM mono WAV file; anything else is a <see cref="LoomDataException"/> naming the file.</summary>
    public static AudioClip Read(string path)
    {
        if (!File.Exists(path)) throw new LoomDataException($"{path}: no such file");
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads WAV bytes; <paramref name="source"/> names them in errors.</summary>
    public static AudioClip Read(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new LoomDataException($"{source}: not a WAV file (no RIFF/WAVE header)");
        int at = 12, rate = 0;
        bool format = false;
        while (at + 8 <= bytes.Length)
        {
            var id = Encoding.ASCII.GetString(bytes.Slice(at, 4));
            long size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(at + 4, 4));
            int body = at + 8;
            if (id == "fmt ")
            {
                if (size < 16 || body + 16 > bytes.Length) throw new LoomDataException($"{source}: truncated fmt chunk");
                int tag = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body, 2));
                int channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body + 2, 2));
                rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(body + 4, 4));
                int bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body + 14, 2));
                if (tag == 0xFFFE && size >= 26 && body + 26 <= bytes.Length)
                    tag = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body + 24, 2));
                if (tag != 1 || bits != 16 || channels != 1)
                    throw new LoomDataException($"{source}: Loom reads 16-bit PCM mono WAV only, this is format {tag} with "
                        + $"{bits}-bit samples and {channels} channel(s) (convert with 'sox IN -b 16 -c 1 -e signed OUT.wav')");
                if (rate < 1) throw new LoomDataException($"{source}: sample rate {rate} Hz");
                format = true;
            }
            else if (id == "data")
            {
                if (!format) throw new LoomDataException($"{source}: data chunk before the fmt chunk");
                long available = Math.Min(size, bytes.Length - body) / 2;
                var samples = new float[available];
                for (int i = 0; i < samples.Length; i++)
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.Slice(body + 2 * i, 2)) / 32768f;
                return new AudioClip(samples, rate);
            }
            at = (int)Math.Min(bytes.Length, body + size + (size & 1));
        }
        throw new LoomDataException($"{source}: WAV file without a {(format ? "data" : "fmt")} chunk");
    }

    /// <summary>
    /// The title in the file's <c>LIST</c>/<c>INFO</c> <c>INAM</c> tag, or null when it has none; a file that is not a WAV is a
    /// <see cref="LoomDataException"/>.
    /// </summary>
    public static string? ReadTitle(string path)
    {
        if (!File.Exists(path)) throw new LoomDataException($"{path}: no such file");
        return ReadTitle(File.ReadAllBytes(path), path);
    }

    /// <summary>The <c>INAM</c> title in WAV bytes, or null; <paramref name="source"/> names them in errors.</summary>
    public static string? ReadTitle(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new LoomDataException($"{source}: not a WAV file (no RIFF/WAVE header)");
        for (int at = 12; at + 8 <= bytes.Length;)
        {
            long size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(at + 4, 4));
            int body = at + 8, end = (int)Math.Min(bytes.Length, body + size);
            if (bytes.Slice(at, 4).SequenceEqual("LIST"u8) && end - body >= 4 && bytes.Slice(body, 4).SequenceEqual("INFO"u8))
                for (int tag = body + 4; tag + 8 <= end;)
                {
                    int length = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(tag + 4, 4)), end - tag - 8);
                    if (bytes.Slice(tag, 4).SequenceEqual("INAM"u8))
                        return Encoding.UTF8.GetString(bytes.Slice(tag + 8, length)).TrimEnd('\0');
                    tag += 8 + length + (length & 1);
                }
            at = (int)Math.Min(bytes.Length, body + size + (size & 1));
        }
        return null;
    }

    /// <summary>
    /// The clip as 16-bit PCM mono WAV bytes (samples clipped to [−1, 1], rounded to the nearest level), with
    /// <paramref name="title"/> in an <c>INFO</c> <c>INAM</c> tag after the samples when given.
    /// </summary>
    public static byte[] Encode(AudioClip clip, string? title = null)
    {
        clip.Validate();
        int dataBytes = checked(clip.Samples.Length * 2);
        var info = InfoChunk(title);
        var bytes = new byte[44 + dataBytes + info.Length];
        var span = bytes.AsSpan();
        info.CopyTo(span[(44 + dataBytes)..]);
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + dataBytes + info.Length));
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)clip.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)clip.SampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)dataBytes);
        for (int i = 0; i < clip.Samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(span[(44 + 2 * i)..], ToPcm(clip.Samples[i]));
        return bytes;
    }

    /// <summary>Writes <paramref name="clip"/> to <paramref name="path"/> as 16-bit PCM mono WAV, atomically, with its
    /// <paramref name="title"/> when given.</summary>
    public static void Write(string path, AudioClip clip, string? title = null) => AtomicFile.WriteAllBytes(path, Encode(clip, title));

    /// <summary>A <c>LIST</c> chunk of type <c>INFO</c> holding one <c>INAM</c> tag (UTF-8, NUL-terminated, padded to even
    /// length); empty without a title.</summary>
    private static byte[] InfoChunk(string? title)
    {
        if (string.IsNullOrEmpty(title)) return [];
        var text = Encoding.UTF8.GetBytes(title);
        int tagSize = text.Length + 1, padded = tagSize + (tagSize & 1);
        var chunk = new byte[8 + 4 + 8 + padded];
        var span = chunk.AsSpan();
        "LIST"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(4 + 8 + padded));
        "INFOINAM"u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)tagSize);
        text.CopyTo(span[20..]);
        return chunk;
    }

    /// <summary>A sample in [−1, 1] as the nearest 16-bit level (clipped).</summary>
    public static short ToPcm(float sample) =>
        (short)Math.Clamp(Math.Round(sample * 32768.0, MidpointRounding.AwayFromZero), short.MinValue, short.MaxValue);
}
