using System.Text.Json;
using Loom.Core;
using static Loom.Text.Tokenizers.TokenizerJson;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>Builds a <see cref="Decoder"/> from tokenizer.json's "decoder" object.</summary>
internal static class DecoderReader
{
    private const string Supported = "ByteLevel, ByteFallback, Fuse, Replace, Strip, Metaspace, WordPiece, Sequence";

    public static Decoder Read(JsonElement json, string path)
    {
        var type = OptionalString(json, "type");
        return type switch
        {
            "ByteLevel" => new ByteLevelDecoder(),
            "ByteFallback" => new ByteFallbackDecoder(),
            "Fuse" => new FuseDecoder(),
            "Replace" => new ReplaceDecoder(HfPattern.Read(json, "decoder Replace", path), RequiredString(json, "content", path)),
            "Strip" => new StripDecoder(StripContent(json, path), Count(json, "start", path), Count(json, "stop", path)),
            "Metaspace" => new MetaspaceDecoder(
                OptionalString(json, "replacement") ?? "\u2581",
                OptionalString(json, "prepend_scheme") == "never"
                    || (OptionalString(json, "prepend_scheme") is null && !OptionalBool(json, "add_prefix_space", true))
                    ? PrependScheme.Never : PrependScheme.Always),
            "WordPiece" => new WordPieceDecoder(OptionalString(json, "prefix") ?? "##", OptionalBool(json, "cleanup", true)),
            "Sequence" => new SequenceDecoder(
                Required(json, "decoders", JsonValueKind.Array, path).EnumerateArray().Select(d => Read(d, path)).ToList()),
            _ => throw new LoomDataException($"{path}: decoder '{type ?? "untyped"}' is not supported (supported: {Supported})"),
        };
    }

    private static char StripContent(JsonElement json, string path)
    {
        var content = RequiredString(json, "content", path);
        return content.Length == 1 ? content[0]
            : throw new LoomDataException($"{path}: decoder Strip content must be one character, found '{content}'");
    }

    private static int Count(JsonElement json, string name, string path) =>
        Optional(json, name) is { } v ? Id(v, $"decoder Strip {name}", path) : 0;
}
