using System.Text.Json;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>Builds a <see cref="PostProcessor"/> from tokenizer.json's "post_processor" object (single sequences only).</summary>
internal static class PostProcessorReader
{
    private const string Supported = "TemplateProcessing, ByteLevel, BertProcessing, RobertaProcessing, Sequence";

    public static PostProcessor Read(JsonElement json, string path)
    {
        var type = OptionalString(json, "type");
        return type switch
        {
            "TemplateProcessing" => Template(json, path),
            "ByteLevel" => new IdentityPostProcessor(),
            "BertProcessing" or "RobertaProcessing" => new AffixPostProcessor([PairId(json, "cls", path)], [PairId(json, "sep", path)]),
            "Sequence" => new SequencePostProcessor(
                Required(json, "processors", JsonValueKind.Array, path).EnumerateArray().Select(p => Read(p, path)).ToList()),
            _ => throw new LoomDataException($"{path}: post_processor '{type ?? "untyped"}' is not supported (supported: {Supported})"),
        };
    }

    /// <summary>The "single" template: special tokens before and after the one "Sequence" item.</summary>
    private static AffixPostProcessor Template(JsonElement json, string path)
    {
        var specials = Required(json, "special_tokens", JsonValueKind.Object, path);
        var before = new List<int>();
        var after = new List<int>();
        bool seenSequence = false;
        foreach (var item in Required(json, "single", JsonValueKind.Array, path).EnumerateArray())
        {
            if (Optional(item, "Sequence") is not null)
            {
                seenSequence = true;
                continue;
            }
            var special = Optional(item, "SpecialToken")
                ?? throw new LoomDataException($"{path}: TemplateProcessing item {item.GetRawText()} is neither SpecialToken nor Sequence");
            var name = RequiredString(special, "id", path);
            var entry = Optional(specials, name)
                ?? throw new LoomDataException($"{path}: TemplateProcessing names special token '{name}' that special_tokens lacks");
            var ids = Required(entry, "ids", JsonValueKind.Array, path).EnumerateArray().Select(i => Id(i, $"'{name}' id", path));
            (seenSequence ? after : before).AddRange(ids);
        }
        return new AffixPostProcessor([.. before], [.. after]);
    }

    private static int PairId(JsonElement json, string name, string path)
    {
        var pair = Required(json, name, JsonValueKind.Array, path);
        return pair.GetArrayLength() == 2 ? Id(pair[1], $"post_processor {name} id", path)
            : throw new LoomDataException($"{path}: post_processor {name} must be [token, id], found {pair.GetRawText()}");
    }
}
