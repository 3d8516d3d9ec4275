using System.Buffers.Binary;
using System.Text;
using Loom.Core;
using Loom.IO;

namespace Loom.Audio;

/// <summary>
/// RIFF/WAVE files holding 16-bit PCM mono audio: <see cref="Read(string)"/> takes such a file (any sample rate; chunks other
/// than <c>fmt </c> and <c>data</c> are skipped; a data size past the end of the file, as streaming writers leave it, is
/// cut to the bytes present) and refuses any other format with one line; <see cref="Write"/> writes one atomically.
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

    /// <summary>The clip as 16-bit PCM mono WAV bytes (samples clipped to [−1, 1], rounded to the nearest level).</summary>
    public static byte[] Encode(AudioClip clip)
    {
        clip.Validate();
        int dataBytes = checked(clip.Samples.Length * 2);
        var bytes = new byte[44 + dataBytes];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + dataBytes));
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

    /// <summary>Writes <paramref name="clip"/> to <paramref name="path"/> as 16-bit PCM mono WAV, atomically.</summary>
    public static void Write(string path, AudioClip clip) => AtomicFile.WriteAllBytes(path, Encode(clip));

    /// <summary>A sample in [−1, 1] as the nearest 16-bit level (clipped).</summary>
    public static short ToPcm(float sample) =>
        (short)Math.Clamp(Math.Round(sample * 32768.0, MidpointRounding.AwayFromZero), short.MinValue, short.MaxValue);
}
