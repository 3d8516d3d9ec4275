using System.Text.Json;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;

namespace Loom.Text.Tokenizers;

/// <summary>
/// Reads back what <see cref="ITokenizer.Save"/> wrote. tokenizer.json says which tokenizer it is: a "kind" field
/// ("char", "tiktoken") for Loom's own formats, or a "model" for an HF tokenizers file: the plain GPT-2 byte-level
/// layout Loom's trainer writes is a <see cref="ByteLevelBpeTokenizer"/>, any other pipeline an <see cref="Hf.HfTokenizer"/>.
/// </summary>
public static class TokenizerFiles
{
    /// <summary>The file every tokenizer saves.</summary>
    public const string FileName = "tokenizer.json";

    /// <summary>Loads the tokenizer in <paramref name="folder"/> (or from the tokenizer.json file that path names).</summary>
    public static ITokenizer Load(string folder)
    {
        var path = File.Exists(folder) ? folder : Path.Combine(folder, FileName);
        if (!File.Exists(path))
            throw new LoomDataException($"{folder}: no {FileName} there");
        using var doc = Parse(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new LoomDataException($"{path}: must be a JSON object");
        var kind = OptionalString(root, "kind");
        if (kind is not null)
            return kind switch
            {
                CharTokenizer.KindName => CharTokenizer.Read(root, path),
                TiktokenTokenizer.KindName => TiktokenTokenizer.Read(root, path),
                _ => throw new LoomDataException($"{path}: unknown tokenizer kind '{kind}' (expected \"char\" or \"tiktoken\")"),
            };
        if (Optional(root, "model") is not null)
            return ByteLevelBpeJson.IsPlainByteLevel(root) ? ByteLevelBpeJson.Read(root, path) : Hf.HfTokenizerReader.Read(root, path);
        throw new LoomDataException($"{path}: neither a \"kind\" field nor an HF model.type; not a tokenizer file");
    }
}
