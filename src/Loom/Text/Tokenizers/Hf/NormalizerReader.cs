using System.Text;
using System.Text.Json;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>Builds a <see cref="Normalizer"/> from tokenizer.json's "normalizer" object.</summary>
internal static class NormalizerReader
{
    private const string Supported = "NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Strip, BertNormalizer, Sequence";

    public static Normalizer Read(JsonElement json, string path)
    {
        var type = OptionalString(json, "type");
        return type switch
        {
            "NFC" => new UnicodeFormNormalizer(NormalizationForm.FormC),
            "NFD" => new UnicodeFormNormalizer(NormalizationForm.FormD),
            "NFKC" => new UnicodeFormNormalizer(NormalizationForm.FormKC),
            "NFKD" => new UnicodeFormNormalizer(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            "Prepend" => new PrependNormalizer(RequiredString(json, "prepend", path)),
            "Replace" => new ReplaceNormalizer(HfPattern.Read(json, "normalizer Replace", path), RequiredString(json, "content", path)),
            "Strip" => new StripNormalizer(OptionalBool(json, "strip_left", true), OptionalBool(json, "strip_right", true)),
            "BertNormalizer" => new BertNormalizer(
                OptionalBool(json, "clean_text", true), OptionalBool(json, "handle_chinese_chars", true),
                OptionalBool(json, "strip_accents", OptionalBool(json, "lowercase", true)), OptionalBool(json, "lowercase", true)),
            "Sequence" => new SequenceNormalizer(
                Required(json, "normalizers", JsonValueKind.Array, path).EnumerateArray().Select(n => Read(n, path)).ToList()),
            _ => throw new LoomDataException($"{path}: normalizer '{type ?? "untyped"}' is not supported (supported: {Supported})"),
        };
    }
}
