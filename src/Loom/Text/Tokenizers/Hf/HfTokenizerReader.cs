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

        var files = new Dictionary<string, string> { [TokenizerFiles.FileName] = File.ReadAllText(path) };
        string? bos = null, eos = null;
        var configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, ConfigFileName);
        if (File.Exists(configPath))
        {
            files[ConfigFileName] = File.ReadAllText(configPath);
            using var config = Parse(configPath);
            bos = TokenText(config.RootElement, "bos_token");
            eos = TokenText(config.RootElement, "eos_token");
        }
        return new HfTokenizer(pipeline, files, bos, eos);
    }

    private static BpeModel ReadModel(JsonElement model, string path)
    {
        var type = OptionalString(model, "type");
        if (type != "BPE")
            throw new LoomDataException($"{path}: model '{type ?? "untyped"}' is not supported (supported: BPE)");
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

    /// <summary>A token named in tokenizer_config.json: a string or an object with "content".</summary>
    private static string? TokenText(JsonElement config, string name) => Optional(config, name) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Object } o => OptionalString(o, "content"),
        _ => null,
    };
}
