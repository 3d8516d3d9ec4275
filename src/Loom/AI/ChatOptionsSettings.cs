using Loom.Core;
using Loom.Text.Decoding;
using Microsoft.Extensions.AI;

namespace Loom.AI;

/// <summary>
/// <see cref="ChatOptions"/> as the decoding engine's <see cref="GenerationSettings"/>: temperature (0 = greedy), top-p,
/// top-k, max output tokens, stop sequences, seed, frequency and presence penalties. Options a Loom model cannot honour
/// (tools, a response format other than text) are refused with one line.
/// </summary>
public static class ChatOptionsSettings
{
    public static GenerationSettings Apply(GenerationSettings defaults, ChatOptions? options, IReadOnlyList<string> formatStops)
    {
        var settings = defaults.Clone();
        foreach (var stop in formatStops.Where(s => !settings.Stop.Contains(s)))
            settings.Stop.Add(stop);
        if (options is null)
            return settings;
        if (options.Tools is { Count: > 0 })
            throw new LoomUsageException("ChatOptions.Tools: Loom text models do not call tools");
        if (options.ResponseFormat is not null and not ChatResponseFormatText)
            throw new LoomUsageException("ChatOptions.ResponseFormat: Loom text models answer in plain text only");
        if (options.Temperature is { } temperature)
        {
            if (temperature == 0) settings.DoSample = false;
            else settings.Temperature = temperature;
        }
        if (options.TopP is { } topP) settings.TopP = topP;
        if (options.TopK is { } topK) settings.TopK = topK;
        if (options.MaxOutputTokens is { } max) settings.MaxNewTokens = max;
        if (options.Seed is { } seed) settings.Seed = seed;
        if (options.FrequencyPenalty is { } frequency) settings.FrequencyPenalty = frequency;
        if (options.PresencePenalty is { } presence) settings.PresencePenalty = presence;
        foreach (var stop in options.StopSequences ?? [])
            if (!settings.Stop.Contains(stop)) settings.Stop.Add(stop);
        settings.Validate();
        return settings;
    }
}
