namespace Loom.Text.Tokenizers;

/// <summary>
/// Turns text into token ids and back. Implementations: <see cref="CharTokenizer"/> ("char"),
/// <see cref="ByteLevelBpeTokenizer"/> ("bpe"), <see cref="TiktokenTokenizer"/> ("tiktoken:o200k_base") and
/// <see cref="Hf.HfTokenizer"/> ("hf": any other HF tokenizer.json pipeline).
/// Read a saved tokenizer back with <see cref="TokenizerFiles.Load"/>.
/// </summary>
public interface ITokenizer
{
    /// <summary>What kind of tokenizer this is: "char", "bpe", "tiktoken:&lt;encoding&gt;" or "hf".</summary>
    string Kind { get; }

    /// <summary>One past the largest id the tokenizer can produce, special tokens included (the embedding size a model needs).</summary>
    int VocabSize { get; }

    /// <summary>The special tokens by their text, e.g. "&lt;|endoftext|&gt;" → its id.</summary>
    IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>The id that starts a document, when the tokenizer has one.</summary>
    int? BosId { get; }

    /// <summary>The id that ends a document, when the tokenizer has one.</summary>
    int? EosId { get; }

    /// <summary>
    /// Encodes <paramref name="text"/>. With <paramref name="allowSpecial"/> a special token's text becomes its id;
    /// without it the same characters are encoded as ordinary text.
    /// </summary>
    int[] Encode(string text, bool allowSpecial = true);

    /// <summary>Decodes ids to text (invalid UTF-8 becomes U+FFFD); <paramref name="skipSpecial"/> leaves special tokens out.</summary>
    string Decode(IReadOnlyList<int> ids, bool skipSpecial = false);

    /// <summary>The raw UTF-8 bytes the ids stand for, special tokens as the UTF-8 of their text (see
    /// <see cref="Utf8StreamDecoder"/>).</summary>
    byte[] DecodeBytes(IReadOnlyList<int> ids);

    /// <summary>Writes tokenizer.json (and anything else it needs) into <paramref name="folder"/>, each file atomically.</summary>
    void Save(string folder);
}
