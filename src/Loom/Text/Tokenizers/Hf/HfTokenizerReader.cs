using System.Text.Json;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// Reads an HF tokenizer.json (and the tokenizer_config.json beside it, for bos_token and eos_token) into an
/// <see cref="HfTokenizer"/>. A component type it does not implement is a one-line <see cref="LoomDataException"/> that
/// names it, never a silently different tokenization.
/// </summary>
public static class HfTokenizerReader
{
    /// <summary>The file beside tokenizer.json that names the BOS and EOS tokens.</summary>
    public const string ConfigFileName = "tokenizer_config.json";

    /// <summary>Reads the tokenizer.json at <paramref name="path"/>.</summary>
    public static HfTokenizer ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: no such tokenizer file");
        using var doc = Parse(path);
        return Read(doc.RootElement, path);
    }

    /// <summary>Builds the tokenizer from the parsed tokenizer.json at <paramref name="path"/>.</summary>
    public static HfTokenizer Read(JsonElement root, string path)
    {
        var model = Required(root, "model", JsonValueKind.Object, path);
        var pipeline = new HfPipeline(
            Optional(root, "normalizer") is { } n ? NormalizerReader.Read(n, path) : null,
            Optional(root, "pre_tokenizer") is { } p ? PreTokenizerReader.Read(p, path) : null,
            ReadModel(model, path),
            Optional(root, "decoder") is { } d ? DecoderReader.Read(d, path) : null,
            Optional(root, "post_processor") is { } post ? PostProcessorReader.Read(post, path) : null,
            ByteLevelBpeJson.ReadAddedTokens(root, path));

        var files = new Dictionary<string, byte[]> { [TokenizerFiles.FileName] = File.ReadAllBytes(path) };
        ConfigToken? bos = null, eos = null;
        var configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, ConfigFileName);
        if (File.Exists(configPath))
        {
            files[ConfigFileName] = File.ReadAllBytes(configPath);
            using var config = Parse(configPath);
            bos = TokenText(config.RootElement, "bos_token");
            eos = TokenText(config.RootElement, "eos_token");
        }
        return new HfTokenizer(pipeline, files, bos, eos);
    }

    private static TokenModel ReadModel(JsonElement model, string path)
    {
        var type = OptionalString(model, "type");
        return type switch
        {
            "BPE" => ReadBpe(model, path),
            "Unigram" => ReadUnigram(model, path),
            "WordPiece" => ReadWordPiece(model, path),
            _ => throw new LoomDataException($"{path}: model '{type ?? "untyped"}' is not supported (supported: BPE, Unigram, WordPiece)"),
        };
    }

    private static BpeModel ReadBpe(JsonElement model, string path)
    {
        if (Optional(model, "dropout") is { ValueKind: JsonValueKind.Number } dropout && dropout.GetDouble() != 0)
            throw new LoomDataException($"{path}: model.dropout {dropout.GetDouble()} is not supported (encoding here is deterministic)");
        var options = new BpeOptions(
            UnkToken: OptionalString(model, "unk_token"),
            FuseUnk: OptionalBool(model, "fuse_unk", false),
            ByteFallback: OptionalBool(model, "byte_fallback", false),
            IgnoreMerges: OptionalBool(model, "ignore_merges", false),
            ContinuingSubwordPrefix: OptionalString(model, "continuing_subword_prefix"),
            EndOfWordSuffix: OptionalString(model, "end_of_word_suffix"));
        return new BpeModel(ByteLevelBpeJson.ReadVocab(model, path), ByteLevelBpeJson.ReadMerges(model, path), options, path);
    }

    private static WordPieceModel ReadWordPiece(JsonElement model, string path)
    {
        var vocab = ByteLevelBpeJson.ReadVocab(model, path);
        var unk = OptionalString(model, "unk_token") ?? "[UNK]";
        if (!vocab.TryGetValue(unk, out var unkId))
            throw new LoomDataException($"{path}: model.unk_token '{unk}' is not in the vocabulary");
        int maxChars = Optional(model, "max_input_chars_per_word") is { } max ? Id(max, "model.max_input_chars_per_word", path) : 100;
        return new WordPieceModel(vocab, unkId, OptionalString(model, "continuing_subword_prefix") ?? "##", maxChars);
    }

    /// <summary>model.vocab as [token, score] pairs in id order, and unk_id (which a Unigram model needs).</summary>
    private static UnigramModel ReadUnigram(JsonElement model, string path)
    {
        var pieces = new List<(string, double)>();
        foreach (var entry in Required(model, "vocab", JsonValueKind.Array, path).EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2
                || entry[0].ValueKind != JsonValueKind.String || entry[1].ValueKind != JsonValueKind.Number)
                throw new LoomDataException(
                    $"{path}: Unigram vocab entry {pieces.Count} must be [token, score], found {entry.GetRawText()}");
            pieces.Add((entry[0].GetString()!, entry[1].GetDouble()));
        }
        var unkId = Optional(model, "unk_id") is { } unk ? Id(unk, "model.unk_id", path)
            : throw new LoomDataException($"{path}: a Unigram model without unk_id is not supported");
        if (unkId >= pieces.Count)
            throw new LoomDataException($"{path}: model.unk_id {unkId} is outside the vocabulary ({pieces.Count} tokens)");
        return new UnigramModel(pieces, unkId, OptionalBool(model, "byte_fallback", false));
    }

    /// <summary>A token named in tokenizer_config.json (a string or an object with "content"), null content for an
    /// explicit null, and null when the file does not mention it.</summary>
    private static ConfigToken? TokenText(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => new ConfigToken(value.GetString()),
            JsonValueKind.Object => new ConfigToken(OptionalString(value, "content")),
            JsonValueKind.Null => new ConfigToken(null),
            _ => null,
        };
    }
}
