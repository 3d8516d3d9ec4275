using System.Text.Json;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;

namespace Loom.Text.Tokenizers;

/// <summary>
/// HF tokenizers' tokenizer.json for byte-level BPE. Reading accepts model.type "BPE" with merges as "a b" strings or
/// ["a", "b"] pairs, a ByteLevel pre-tokenizer (use_regex true, add_prefix_space false), no normalizer, a ByteLevel
/// decoder and post-processor or none; anything else is a <see cref="LoomDataException"/> rather than a silently
/// different tokenization. Writing produces the same layout HF tokenizers 0.2x writes.
/// </summary>
public static class ByteLevelBpeJson
{
    /// <summary>Reads the tokenizer.json at <paramref name="path"/>.</summary>
    public static ByteLevelBpeTokenizer ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new LoomDataException($"{path}: no such tokenizer file");
        using var doc = Parse(path);
        return Read(doc.RootElement, path);
    }

    /// <summary>Builds the tokenizer from a parsed tokenizer.json; <paramref name="path"/> names it in messages.</summary>
    public static ByteLevelBpeTokenizer Read(JsonElement root, string path)
    {
        var model = Required(root, "model", JsonValueKind.Object, path);
        var type = OptionalString(model, "type");
        if (type != "BPE")
            throw new LoomDataException($"{path}: model.type is '{type ?? "missing"}'; only \"BPE\" is supported");
        CheckPipeline(root, model, path);

        var vocab = ReadVocab(model, path);
        var merges = ReadMerges(model, path);
        var added = ReadAddedTokens(root, path);

        return new ByteLevelBpeTokenizer(vocab, merges, added, OptionalBool(model, "ignore_merges", false));
    }

    /// <summary>model.vocab: token → id.</summary>
    internal static Dictionary<string, int> ReadVocab(JsonElement model, string path)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in Required(model, "vocab", JsonValueKind.Object, path).EnumerateObject())
            vocab[entry.Name] = Id(entry.Value, $"vocab entry '{entry.Name}'", path);
        return vocab;
    }

    /// <summary>model.merges in rank order.</summary>
    internal static List<(string, string)> ReadMerges(JsonElement model, string path)
    {
        var merges = new List<(string, string)>();
        foreach (var merge in Required(model, "merges", JsonValueKind.Array, path).EnumerateArray())
            merges.Add(ReadMerge(merge, merges.Count, path));
        return merges;
    }

    /// <summary>The file's "added_tokens" list (none when absent).</summary>
    internal static List<AddedToken> ReadAddedTokens(JsonElement root, string path)
    {
        var added = new List<AddedToken>();
        if (Optional(root, "added_tokens") is { ValueKind: JsonValueKind.Array } list)
            foreach (var t in list.EnumerateArray())
                added.Add(new AddedToken(
                    Id(Required(t, "id", JsonValueKind.Number, path), "added_tokens[].id", path),
                    RequiredString(t, "content", path),
                    Special: OptionalBool(t, "special", false),
                    LStrip: OptionalBool(t, "lstrip", false),
                    RStrip: OptionalBool(t, "rstrip", false),
                    SingleWord: OptionalBool(t, "single_word", false),
                    Normalized: OptionalBool(t, "normalized", false)));
        return added;
    }

    /// <summary>Writes <paramref name="tokenizer"/> as an HF tokenizer.json at <paramref name="path"/>, atomically.</summary>
    public static void WriteFile(ByteLevelBpeTokenizer tokenizer, string path) => Write(path, w =>
    {
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        WriteAddedTokens(w, tokenizer.AddedTokens);
        w.WriteNull("normalizer");
        WriteByteLevel(w, "pre_tokenizer", addPrefixSpace: false);
        w.WriteNull("post_processor");
        WriteByteLevel(w, "decoder", addPrefixSpace: true);
        WriteBpeModelStart(w, tokenizer.IgnoreMerges);
        w.WriteStartObject("vocab");
        foreach (var (token, id) in tokenizer.Vocabulary.OrderBy(kv => kv.Value))
            w.WriteNumber(token, id);
        w.WriteEndObject();
        w.WriteStartArray("merges");
        foreach (var (left, right) in tokenizer.Merges)
        {
            w.WriteStartArray();
            w.WriteStringValue(left);
            w.WriteStringValue(right);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>HF's <c>added_tokens</c> array, in id order.</summary>
    internal static void WriteAddedTokens(Utf8JsonWriter w, IEnumerable<AddedToken> tokens)
    {
        w.WriteStartArray("added_tokens");
        foreach (var t in tokens.OrderBy(t => t.Id))
        {
            w.WriteStartObject();
            w.WriteNumber("id", t.Id);
            w.WriteString("content", t.Content);
            w.WriteBoolean("single_word", t.SingleWord);
            w.WriteBoolean("lstrip", t.LStrip);
            w.WriteBoolean("rstrip", t.RStrip);
            w.WriteBoolean("normalized", t.Normalized);
            w.WriteBoolean("special", t.Special);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>Opens the <c>model</c> object of a plain BPE (no dropout, unknown token, byte fallback); vocab, merges follow.</summary>
    internal static void WriteBpeModelStart(Utf8JsonWriter w, bool ignoreMerges)
    {
        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        w.WriteNull("unk_token");
        w.WriteNull("continuing_subword_prefix");
        w.WriteNull("end_of_word_suffix");
        w.WriteBoolean("fuse_unk", false);
        w.WriteBoolean("byte_fallback", false);
        w.WriteBoolean("ignore_merges", ignoreMerges);
    }

    private static void WriteByteLevel(Utf8JsonWriter w, string name, bool addPrefixSpace)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", addPrefixSpace);
        w.WriteBoolean("trim_offsets", true);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();
    }

    private static (string, string) ReadMerge(JsonElement merge, int rank, string path)
    {
        if (merge.ValueKind == JsonValueKind.String)
        {
            var parts = merge.GetString()!.Split(' ');
            if (parts.Length == 2)
                return (parts[0], parts[1]);
        }
        else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                 && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            return (merge[0].GetString()!, merge[1].GetString()!);
        throw new LoomDataException($"{path}: merge {rank} must be \"a b\" or [\"a\", \"b\"], found {merge.GetRawText()}");
    }

    /// <summary>Whether the file is the plain GPT-2 layout this class reads (otherwise the general HF pipeline,
    /// <see cref="Hf.HfTokenizer"/>, reads it).</summary>
    internal static bool IsPlainByteLevel(JsonElement root) =>
        Optional(root, "model") is { } model && PipelineProblem(root, model) is null;

    /// <summary>Rejects the pipeline parts that would make HF tokenize differently from this implementation.</summary>
    private static void CheckPipeline(JsonElement root, JsonElement model, string path)
    {
        if (PipelineProblem(root, model) is { } problem)
            throw new LoomDataException($"{path}: {problem}");
    }

    private static string? PipelineProblem(JsonElement root, JsonElement model)
    {
        if (Optional(root, "normalizer") is { } normalizer)
            return $"normalizer '{OptionalString(normalizer, "type")}' is not supported (byte-level BPE here has none)";
        var pre = Optional(root, "pre_tokenizer");
        if (pre is not { } p || OptionalString(p, "type") != "ByteLevel")
            return $"pre_tokenizer must be ByteLevel, found '{(pre is { } x ? OptionalString(x, "type") : "none")}'";
        if (OptionalBool(p, "add_prefix_space", false) || !OptionalBool(p, "use_regex", true))
            return "the ByteLevel pre_tokenizer must have add_prefix_space false and use_regex true";
        foreach (var part in new[] { "decoder", "post_processor" })
            if (Optional(root, part) is { } v && OptionalString(v, "type") != "ByteLevel")
                return $"{part} '{OptionalString(v, "type")}' is not supported (only ByteLevel or none)";
        foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (!string.IsNullOrEmpty(OptionalString(model, affix)))
                return $"model.{affix} is not supported in byte-level BPE";
        foreach (var flag in new[] { "byte_fallback", "fuse_unk" })
            if (OptionalBool(model, flag, false))
                return $"model.{flag} is not supported in byte-level BPE";
        if (Optional(model, "dropout") is { ValueKind: JsonValueKind.Number } d && d.GetDouble() != 0)
            return $"model.dropout {d.GetDouble()} is not supported (encoding here is deterministic)";
        return null;
    }
}
