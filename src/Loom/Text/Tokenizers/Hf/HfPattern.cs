using System.Text.Json;
using System.Text.RegularExpressions;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>tokenizer.json's <c>{"String": "…"}</c> (literal) or <c>{"Regex": "…"}</c> pattern, as a
/// <see cref="CodePointRegex"/>.</summary>
internal static class HfPattern
{
    public static CodePointRegex Read(JsonElement owner, string what, string path)
    {
        var pattern = Required(owner, "pattern", JsonValueKind.Object, path);
        if (OptionalString(pattern, "String") is { } literal)
            return new CodePointRegex(Regex.Escape(literal));
        if (OptionalString(pattern, "Regex") is { } regex)
        {
            try
            {
                return new CodePointRegex(regex);
            }
            catch (ArgumentException e)
            {
                throw new LoomDataException($"{path}: {what} regex '{regex}' does not compile here ({e.Message})", e);
            }
        }
        throw new LoomDataException(
            $"{path}: {what} pattern must be {{\"String\": …}} or {{\"Regex\": …}}, found {pattern.GetRawText()}");
    }
}
