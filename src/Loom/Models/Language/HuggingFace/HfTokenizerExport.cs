using System.Text.Encodings.Web;
using System.Text.Json;
using Loom.Core;
using Loom.IO;
using Loom.Text.Tokenizers;

namespace Loom.Models.Language.HuggingFace;

/// <summary>
/// Writes a Loom tokenizer as an HF <c>tokenizer.json</c> that HF tokenizers (and Loom) load with the same ids.
/// A byte-level BPE already saves that layout. A character tokenizer becomes a BPE model with the characters as its
/// vocabulary and no merges (each character one token), no pre-tokenizer, a Fuse decoder (tokens joined without
/// spaces) and its special tokens as added tokens. A tiktoken encoding has no tokenizer.json form here.
/// </summary>
public static class HfTokenizerExport
{
    public static void Write(ITokenizer tokenizer, string folder)
    {
        switch (tokenizer)
        {
            case CharTokenizer chars:
                WriteCharacters(chars, Path.Combine(folder, TokenizerFiles.FileName));
                break;
            case ByteLevelBpeTokenizer:
                tokenizer.Save(folder);
                break;
            default:
                throw new LoomUsageException($"export hf: a '{tokenizer.Kind}' tokenizer has no HF tokenizer.json form "
                    + "(character and byte-level BPE tokenizers do)");
        }
    }

    private static void WriteCharacters(CharTokenizer tokenizer, string path) => AtomicFile.Write(path, stream =>
    {
        using var w = new Utf8JsonWriter(stream,
            new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        ByteLevelBpeJson.WriteAddedTokens(w, tokenizer.SpecialTokens.Select(kv => new AddedToken(kv.Value, kv.Key)));
        w.WriteNull("normalizer");
        w.WriteNull("pre_tokenizer");
        w.WriteNull("post_processor");
        w.WriteStartObject("decoder");
        w.WriteString("type", "Fuse");
        w.WriteEndObject();
        ByteLevelBpeJson.WriteBpeModelStart(w, ignoreMerges: false);
        w.WriteStartObject("vocab");
        for (int id = 0; id < tokenizer.Characters.Count; id++)
            w.WriteNumber(tokenizer.Characters[id], id);
        w.WriteEndObject();
        w.WriteStartArray("merges");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    });
}
