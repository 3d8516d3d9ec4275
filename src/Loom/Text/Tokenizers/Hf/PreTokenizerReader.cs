using System.Text.Json;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>
/// Builds a <see cref="PreTokenizer"/> from tokenizer.json's "pre_tokenizer" object. Digits, Punctuation, Whitespace,
/// WhitespaceSplit and BertPreTokenizer are <see cref="SplitPreTokenizer"/>s with the pattern HF's definition amounts to.
/// </summary>
internal static class PreTokenizerReader
{
    private const string Supported =
        "ByteLevel, Split, Metaspace, Digits, Punctuation, Whitespace, WhitespaceSplit, BertPreTokenizer, Sequence";

    /// <summary>HF's is_punc: ASCII punctuation (symbols included) or a Unicode punctuation character.</summary>
    private const string Punctuation = @"[\p{P}!-/:-@\[-`{-~]";

    public static PreTokenizer Read(JsonElement json, string path)
    {
        var type = OptionalString(json, "type");
        return type switch
        {
            "ByteLevel" => new ByteLevelPreTokenizer(OptionalBool(json, "add_prefix_space", true), OptionalBool(json, "use_regex", true)),
            "Split" => new SplitPreTokenizer(
                HfPattern.Read(json, "pre_tokenizer Split", path),
                SplitBehaviors.Parse(OptionalString(json, "behavior"), path),
                OptionalBool(json, "invert", false)),
            "Metaspace" => new MetaspacePreTokenizer(
                OptionalString(json, "replacement") ?? "\u2581", Scheme(json, path), OptionalBool(json, "split", true)),
            "Digits" => new SplitPreTokenizer(
                new CodePointRegex(OptionalBool(json, "individual_digits", false) ? @"\p{N}" : @"\p{N}+"),
                SplitBehavior.Isolated, invert: false),
            "Punctuation" => new SplitPreTokenizer(
                new CodePointRegex(Punctuation),
                SplitBehaviors.Parse(OptionalString(json, "behavior") ?? "Isolated", path), invert: false),
            "Whitespace" => new SplitPreTokenizer(new CodePointRegex(@"\w+|[^\w\s]+"), SplitBehavior.Removed, invert: true),
            "WhitespaceSplit" => new SplitPreTokenizer(new CodePointRegex(@"\s+"), SplitBehavior.Removed, invert: false),
            "BertPreTokenizer" => new SequencePreTokenizer([
                new SplitPreTokenizer(new CodePointRegex(@"\s+"), SplitBehavior.Removed, invert: false),
                new SplitPreTokenizer(new CodePointRegex(Punctuation), SplitBehavior.Isolated, invert: false)]),
            "Sequence" => new SequencePreTokenizer(
                Required(json, "pretokenizers", JsonValueKind.Array, path).EnumerateArray().Select(p => Read(p, path)).ToList()),
            _ => throw new LoomDataException($"{path}: pre_tokenizer '{type ?? "untyped"}' is not supported (supported: {Supported})"),
        };
    }

    /// <summary>prepend_scheme ("always", "first", "never"), or the older add_prefix_space flag.</summary>
    private static PrependScheme Scheme(JsonElement json, string path) => OptionalString(json, "prepend_scheme") switch
    {
        "always" => PrependScheme.Always,
        "first" => PrependScheme.First,
        "never" => PrependScheme.Never,
        null => OptionalBool(json, "add_prefix_space", true) ? PrependScheme.Always : PrependScheme.Never,
        var other => throw new LoomDataException($"{path}: Metaspace prepend_scheme '{other}' is not supported (always, first, never)"),
    };
}
