using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Text.Decoding;

namespace Loom.Models.Language.HuggingFace;

/// <summary>
/// The decoding defaults of an HF folder's <c>generation_config.json</c> (what transformers' <c>generate</c> starts from):
/// <c>do_sample</c>, <c>temperature</c>, <c>top_k</c>, <c>top_p</c>, <c>min_p</c>, <c>typical_p</c>,
/// <c>repetition_penalty</c>, <c>no_repeat_ngram_size</c>, <c>num_beams</c>, <c>length_penalty</c> and
/// <c>max_new_tokens</c>. Fields it does not name (token ids, <c>max_length</c>, cache options, transformers' version)
/// are not decoding defaults Loom applies; a field it names with a value out of range is an error naming the file. As in
/// transformers, a file that sets any of them leaves <c>top_k</c> at 50 unless it says otherwise.
/// </summary>
public static class HfGenerationDefaults
{
    /// <summary>The folder's defaults on top of <paramref name="baseline"/> (a clone), or null when the file sets none.</summary>
    public static GenerationSettings? Read(string folder, GenerationSettings baseline)
    {
        if (HfTokenIds.ReadGenerationConfig(folder) is not { } json)
            return null;
        var source = Path.Combine(folder, HfTokenIds.GenerationConfigFile);
        var settings = baseline.Clone();
        bool any = false;
        void Apply<T>(string name, Action<T> set)
        {
            if (json[name] is not JsonValue value) return;
            if (!value.TryGetValue<T>(out var parsed))
                throw new LoomDataException(
                    $"{source}: \"{name}\" must be {Expected<T>()}, found {value.ToJsonString()}");
            set(parsed);
            any = true;
        }
        Apply<bool>("do_sample", v => settings.DoSample = v);
        Apply<double>("temperature", v => settings.Temperature = v);
        settings.TopK = 50;
        Apply<int>("top_k", v => settings.TopK = v);
        Apply<double>("top_p", v => settings.TopP = v);
        Apply<double>("min_p", v => settings.MinP = v);
        Apply<double>("typical_p", v => settings.TypicalP = v);
        Apply<double>("repetition_penalty", v => settings.RepetitionPenalty = v);
        Apply<int>("no_repeat_ngram_size", v => settings.NoRepeatNGramSize = v);
        Apply<int>("num_beams", v => settings.NumBeams = v);
        Apply<double>("length_penalty", v => settings.LengthPenalty = v);
        Apply<int>("max_new_tokens", v => settings.MaxNewTokens = v);
        if (!any)
            return null;
        try
        {
            settings.Validate();
        }
        catch (LoomUsageException e)
        {
            throw new LoomDataException($"{source}: {e.Message}", e);
        }
        return settings;
    }

    private static string Expected<T>() =>
        typeof(T) == typeof(bool) ? "true or false" : typeof(T) == typeof(int) ? "an integer" : "a number";

    /// <summary>The generation_config.json fields <see cref="Read"/> reads back, from <paramref name="settings"/> (none when
    /// null).</summary>
    public static JsonObject ToJson(GenerationSettings? settings) => settings is null ? [] : new JsonObject
    {
        ["do_sample"] = settings.DoSample,
        ["temperature"] = settings.Temperature,
        ["top_k"] = settings.TopK,
        ["top_p"] = settings.TopP,
        ["min_p"] = settings.MinP,
        ["typical_p"] = settings.TypicalP,
        ["repetition_penalty"] = settings.RepetitionPenalty,
        ["no_repeat_ngram_size"] = settings.NoRepeatNGramSize,
        ["num_beams"] = settings.NumBeams,
        ["length_penalty"] = settings.LengthPenalty,
        ["max_new_tokens"] = settings.MaxNewTokens,
    };
}
