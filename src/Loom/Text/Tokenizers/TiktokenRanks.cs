using System.IO.Compression;
using System.Reflection;
using Loom.Core;

namespace Loom.Text.Tokenizers;

/// <summary>
/// The bytes of every ordinary token of a tiktoken encoding, read from the vocabulary that the
/// Microsoft.ML.Tokenizers.Data.* package embeds (a deflated tiktoken ranks file). Microsoft.ML.Tokenizers only
/// decodes to strings; the streaming decoder needs each token's raw bytes, which may end inside a UTF-8 character.
/// </summary>
internal static class TiktokenRanks
{
    /// <summary>Token bytes indexed by id for <paramref name="encoding"/>, read from <paramref name="assemblyName"/>.</summary>
    public static byte[][] Load(string encoding, string assemblyName)
    {
        var resource = $"{encoding}.tiktoken.deflate";
        Stream? stream;
        try
        {
            stream = Assembly.Load(new AssemblyName(assemblyName)).GetManifestResourceStream(resource);
        }
        catch (FileNotFoundException e)
        {
            throw new LoomDataException($"tiktoken {encoding}: the {assemblyName} package is not installed", e);
        }
        if (stream is null)
            throw new LoomDataException($"tiktoken {encoding}: {assemblyName} has no resource {resource}");
        using (stream)
        using (var reader = new StreamReader(new DeflateStream(stream, CompressionMode.Decompress)))
            return Parse(reader, encoding);
    }

    /// <summary>
    /// Parses "base64 rank" lines (tiktoken's format) or bare "base64" lines ranked by position, after an optional
    /// "Capacity: N" header line.
    /// </summary>
    internal static byte[][] Parse(TextReader reader, string encoding)
    {
        var byId = new List<byte[]?>();
        int position = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || (position == 0 && byId.Count == 0 && line.StartsWith("Capacity:", StringComparison.Ordinal)))
                continue;
            var parts = line.Split(' ');
            int id = parts.Length > 1 && int.TryParse(parts[1], out var rank) ? rank : position;
            position++;
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(parts[0]);
            }
            catch (FormatException e)
            {
                throw new LoomDataException($"tiktoken {encoding}: line {position} of the ranks file is not base64", e);
            }
            while (byId.Count <= id)
                byId.Add(null);
            byId[id] = bytes;
        }
        if (byId.Count == 0)
            throw new LoomDataException($"tiktoken {encoding}: the ranks file is empty");
        return byId.Select(b => b ?? []).ToArray();
    }
}
