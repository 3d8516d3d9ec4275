using System.Text.Encodings.Web;
using System.Text.Json;
using Loom.Core;
using Loom.IO;

namespace Loom.Text.Tokenizers;

/// <summary>Reading and writing tokenizer.json: parse errors and missing or mistyped fields become one-line
/// <see cref="LoomDataException"/>s.</summary>
internal static class TokenizerJson
{
    /// <summary>Parses the file at <paramref name="path"/> (which must exist).</summary>
    public static JsonDocument Parse(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary>Writes JSON atomically, indented, with non-ASCII characters as they are (as HF tokenizers writes them).</summary>
    public static void Write(string path, Action<Utf8JsonWriter> write) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions
            {
                Indented = true,
                Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            });
            write(writer);
        });

    /// <summary>The property <paramref name="name"/> of an object, or null when it is absent or JSON null.</summary>
    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value : null;

    /// <summary>The property <paramref name="name"/>, which must be there with the given kind.</summary>
    public static JsonElement Required(JsonElement obj, string name, JsonValueKind kind, string path)
    {
        var value = Optional(obj, name)
            ?? throw new LoomDataException($"{path}: missing \"{name}\"");
        if (value.ValueKind != kind)
            throw new LoomDataException($"{path}: \"{name}\" must be {Describe(kind)}, found {Describe(value.ValueKind)}");
        return value;
    }

    public static string RequiredString(JsonElement obj, string name, string path) =>
        Required(obj, name, JsonValueKind.String, path).GetString()!;

    public static string? OptionalString(JsonElement obj, string name) =>
        Optional(obj, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static bool OptionalBool(JsonElement obj, string name, bool fallback) =>
        Optional(obj, name) is { } v
            && (v.ValueKind == JsonValueKind.True || v.ValueKind == JsonValueKind.False) ? v.GetBoolean() : fallback;

    /// <summary>An integer id, which must fit in an int and be ≥ 0.</summary>
    public static int Id(JsonElement value, string what, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var id) && id >= 0
            ? id : throw new LoomDataException($"{path}: {what} must be an integer id ≥ 0, found {value.GetRawText()}");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        _ => "null",
    };
}
