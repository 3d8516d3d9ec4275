using System.CommandLine;
using Loom.Core;
using Loom.Text.Generation;
using Loom.Text.Decoding;

namespace Loom.Cli.Commands;

/// <summary>
/// The decoding options <c>loom sample</c> and <c>loom chat</c> share. Settings start from the checkpoint's
/// generation.json (or the model's defaults), are cloned, and each option given on the command line overrides one field.
/// </summary>
public sealed class GenerationCliOptions
{
    public Option<int?> MaxTokens { get; } = new("--max-tokens") { Description = "New tokens per sample (text models; default --length)" };
    public Option<int?> MinTokens { get; } = new("--min-tokens") { Description = "Suppress end-of-text until this many new tokens" };
    public Option<bool> Greedy { get; } = new("--greedy") { Description = "Always take the most likely token" };
    public Option<int?> TopK { get; } = new("--top-k") { Description = "Sample from the k most likely tokens" };
    public Option<double?> TopP { get; } = new("--top-p") { Description = "Nucleus sampling: the smallest set with this much probability" };
    public Option<double?> MinP { get; } = new("--min-p") { Description = "Drop tokens less likely than min-p × the most likely one" };
    public Option<double?> TypicalP { get; } = new("--typical-p") { Description = "Locally typical sampling mass" };
    public Option<double?> RepetitionPenalty { get; } =
        new("--repetition-penalty") { Description = "Divide logits of tokens already present (>1 discourages repeats)" };
    public Option<double?> FrequencyPenalty { get; } =
        new("--frequency-penalty") { Description = "Subtract this × count of each token so far" };
    public Option<double?> PresencePenalty { get; } =
        new("--presence-penalty") { Description = "Subtract this from every token seen so far" };
    public Option<int?> NoRepeatNGram { get; } = new("--no-repeat-ngram") { Description = "Never repeat an n-gram of this size" };
    public Option<int?> Beams { get; } = new("--beams") { Description = "Beam search with this many beams (deterministic)" };
    public Option<double?> LengthPenalty { get; } = new("--length-penalty") { Description = "Beam search: score / length^penalty" };
    public Option<string[]> Stop { get; } =
        new("--stop") { Description = "Stop when the text contains this string (repeatable)", AllowMultipleArgumentsPerToken = false };
    public Option<int> Logprobs { get; } =
        new("--logprobs") { Description = "Report each token's log-probability and this many alternatives", DefaultValueFactory = _ => 0 };

    public WatermarkCliOptions Watermark { get; } = new("--watermark-");

    public IEnumerable<Option> All => [MaxTokens, MinTokens, Greedy, TopK, TopP, MinP, TypicalP, RepetitionPenalty, FrequencyPenalty,
        PresencePenalty, NoRepeatNGram, Beams, LengthPenalty, Stop, Logprobs, .. Watermark.All];

    /// <summary>
    /// The model's defaults (its checkpoint's generation.json or generation_config.json), then the command line on a clone;
    /// a null <paramref name="temperature"/> keeps the model's.
    /// </summary>
    public GenerationSettings Build(ParseResult parse, ITextGenerationModel model, int defaultLength, double? temperature, long seed)
    {
        var settings = model.DefaultSettings(defaultLength).Clone();
        settings.MaxNewTokens = parse.GetValue(MaxTokens) ?? defaultLength;
        if (temperature is { } t) settings.Temperature = t;
        settings.Seed = seed;
        if (parse.GetValue(Greedy)) settings.DoSample = false;
        if (parse.GetValue(MinTokens) is { } minTokens) settings.MinNewTokens = minTokens;
        if (parse.GetValue(TopK) is { } k) settings.TopK = k;
        if (parse.GetValue(TopP) is { } p) settings.TopP = p;
        if (parse.GetValue(MinP) is { } minP) settings.MinP = minP;
        if (parse.GetValue(TypicalP) is { } typical) settings.TypicalP = typical;
        if (parse.GetValue(RepetitionPenalty) is { } repetition) settings.RepetitionPenalty = repetition;
        if (parse.GetValue(FrequencyPenalty) is { } frequency) settings.FrequencyPenalty = frequency;
        if (parse.GetValue(PresencePenalty) is { } presence) settings.PresencePenalty = presence;
        if (parse.GetValue(NoRepeatNGram) is { } ngram) settings.NoRepeatNGramSize = ngram;
        if (parse.GetValue(Beams) is { } beams) { settings.NumBeams = beams; settings.DoSample = false; }
        if (parse.GetValue(LengthPenalty) is { } lengthPenalty) settings.LengthPenalty = lengthPenalty;
        if (parse.GetValue(Stop) is { Length: > 0 } stops) settings.Stop = [.. stops];
        settings.Logprobs = parse.GetValue(Logprobs);
        settings.Watermark = Watermark.Apply(parse, settings.Watermark);
        if (settings.Logprobs < 0) throw new LoomUsageException($"--logprobs: must not be negative, got {settings.Logprobs}");
        settings.Validate();
        return settings;
    }
}
