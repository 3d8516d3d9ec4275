using System.Text.Json;
using System.Text.Json.Serialization;
using Loom.Core;
using Loom.IO;

namespace Loom.Text.Decoding;

public sealed partial class GenerationSettings
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The settings as indented JSON with snake_case names.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and validates settings; unknown names are errors. Throws <see cref="LoomDataException"/>
    /// (bad JSON) or <see cref="LoomUsageException"/> (a value out of range).</summary>
    public static GenerationSettings FromJson(string json)
    {
        GenerationSettings? settings;
        try
        {
            settings = JsonSerializer.Deserialize<GenerationSettings>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"generation settings are not valid JSON: {e.Message}", e);
        }
        if (settings is null)
            throw new LoomDataException("generation settings are JSON null, not an object");
        settings.Validate();
        return settings;
    }

    /// <summary>Validates, then writes the settings as JSON atomically (readers see the old file or the new one).</summary>
    public void Save(string path)
    {
        Validate();
        AtomicFile.WriteAllText(path, ToJson() + "\n");
    }

    /// <summary>Reads settings written by <see cref="Save"/> (or by hand). A missing file, bad JSON or a value out of
    /// range throws <see cref="LoomDataException"/> naming the file.</summary>
    public static GenerationSettings Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoomDataException($"{path}: cannot read generation settings: {e.Message}", e);
        }
        try
        {
            return FromJson(json);
        }
        catch (LoomException e)
        {
            throw new LoomDataException($"{path}: {e.Message}", e);
        }
    }
}
