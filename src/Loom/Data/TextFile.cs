using System.Text;
using Loom.Core;

namespace Loom.Data;

/// <summary>Reads UTF-8 text files strictly: missing, empty or non-UTF-8 files are one clear error naming the file.</summary>
public static class TextFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Read(string path)
    {
        var bytes = ReadBytes(path);
        try
        {
            var span = bytes.AsSpan();
            if (span.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
                span = span[3..];
            var text = StrictUtf8.GetString(span);
            if (text.Length == 0)
                throw new LoomDataException($"{path}: the file is empty");
            return text;
        }
        catch (DecoderFallbackException e)
        {
            throw new LoomDataException($"{path}: not valid UTF-8 (bad byte at offset {OffsetOf(e)})", e);
        }
    }

    /// <summary>Non-empty lines with line endings and surrounding whitespace removed.</summary>
    public static IReadOnlyList<string> ReadLines(string path) =>
        Read(path).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    internal static byte[] ReadBytes(string path)
    {
        if (Directory.Exists(path))
            throw new LoomDataException($"{path}: is a folder, not a file");
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: no such file");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0)
            throw new LoomDataException($"{path}: the file is empty");
        return bytes;
    }

    private static string OffsetOf(DecoderFallbackException e) => e.Index >= 0 ? e.Index.ToString() : "?";
}
