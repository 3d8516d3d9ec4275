using System.Text.Json.Serialization;
using Loom.Text.Watermarks;

namespace Loom.Text.Decoding;

/// <summary>
/// How to decode text: length limits, sampling or greedy or beam search, the logits processors to apply, stop
/// conditions and what to report. Serialises to JSON with snake_case names (<see cref="Save"/>, <see cref="Load"/>).
/// A setting at its "off" value adds no processor: top_k 0, top_p 1, min_p 0, typical_p 1, repetition_penalty 1,
/// frequency/presence penalty 0, no_repeat_ngram_size 0, empty logit_bias/bad_words_ids.
/// </summary>
/// <remarks>
/// A class rather than a record: C# forbids a member named <c>Clone</c> in records. The properties are mutable:
/// call <see cref="Clone"/> before changing settings someone else may hold.
/// </remarks>
public sealed partial class GenerationSettings
{
    /// <summary>Most tokens to generate after the prompt (≥ 1).</summary>
    [JsonPropertyName("max_new_tokens")] public int MaxNewTokens { get; set; } = 20;

    /// <summary>End-of-sequence tokens are forbidden until this many tokens were generated (0..max_new_tokens).</summary>
    [JsonPropertyName("min_new_tokens")] public int MinNewTokens { get; set; }

    /// <summary>Sample from the processed distribution; otherwise greedy (or beam search when num_beams &gt; 1).</summary>
    [JsonPropertyName("do_sample")] public bool DoSample { get; set; }

    /// <summary>Divides the logits when sampling (&gt; 0).</summary>
    [JsonPropertyName("temperature")] public double Temperature { get; set; } = 1.0;

    /// <summary>Keep the k best tokens when sampling; 0 = off.</summary>
    [JsonPropertyName("top_k")] public int TopK { get; set; }

    /// <summary>Nucleus mass when sampling, in (0, 1]; 1 = off.</summary>
    [JsonPropertyName("top_p")] public double TopP { get; set; } = 1.0;

    /// <summary>Keep tokens with probability ≥ min_p × the best when sampling, in [0, 1]; 0 = off.</summary>
    [JsonPropertyName("min_p")] public double MinP { get; set; }

    /// <summary>Locally typical sampling mass, in (0, 1]; 1 = off.</summary>
    [JsonPropertyName("typical_p")] public double TypicalP { get; set; } = 1.0;

    /// <summary>CTRL repetition penalty over prompt and generated tokens (&gt; 0); 1 = off.</summary>
    [JsonPropertyName("repetition_penalty")] public double RepetitionPenalty { get; set; } = 1.0;

    /// <summary>OpenAI frequency penalty over generated tokens; 0 = off.</summary>
    [JsonPropertyName("frequency_penalty")] public double FrequencyPenalty { get; set; }

    /// <summary>OpenAI presence penalty over generated tokens; 0 = off.</summary>
    [JsonPropertyName("presence_penalty")] public double PresencePenalty { get; set; }

    /// <summary>Forbid repeating any n-gram of this size; 0 = off.</summary>
    [JsonPropertyName("no_repeat_ngram_size")] public int NoRepeatNGramSize { get; set; }

    /// <summary>Token id → value added to its logit.</summary>
    [JsonPropertyName("logit_bias")] public Dictionary<int, float> LogitBias { get; set; } = [];

    /// <summary>Token sequences that must not be generated.</summary>
    [JsonPropertyName("bad_words_ids")] public List<int[]> BadWordsIds { get; set; } = [];

    /// <summary>Strings that end generation when they appear in the decoded text (applied by the text generator, not here).</summary>
    [JsonPropertyName("stop")] public List<string> Stop { get; set; } = [];

    /// <summary>Tokens that end a sequence.</summary>
    [JsonPropertyName("eos_token_ids")] public List<int> EosTokenIds { get; set; } = [];

    /// <summary>Left-padding token that penalties and n-gram bans ignore; null = no padding.</summary>
    [JsonPropertyName("pad_token_id")] public int? PadTokenId { get; set; }

    /// <summary>Beam search width (≥ 1); 1 = no beam search.</summary>
    [JsonPropertyName("num_beams")] public int NumBeams { get; set; } = 1;

    /// <summary>Beam hypotheses score sum log-prob / length^length_penalty; &gt; 0 favours longer ones.</summary>
    [JsonPropertyName("length_penalty")] public double LengthPenalty { get; set; } = 1.0;

    /// <summary>Beam search stops as soon as num_beams hypotheses are finished (true) or when no running beam can beat them
    /// (false).</summary>
    [JsonPropertyName("early_stopping")] public bool EarlyStopping { get; set; }

    /// <summary>Seed for sampling; null = the global torch generator.</summary>
    [JsonPropertyName("seed")] public long? Seed { get; set; }

    /// <summary>How many most likely alternatives to report with each chosen token's log-probability; 0 = off.</summary>
    [JsonPropertyName("logprobs")] public int Logprobs { get; set; }

    /// <summary>The green-list watermark to embed (Kirchenbauer et al. 2023); null = none. Holds the secret key, so settings
    /// saved with it hold the key too.</summary>
    [JsonPropertyName("watermark")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public WatermarkOptions? Watermark { get; set; }

    /// <summary>A deep copy: changing the copy or its collections leaves this instance alone.</summary>
    public GenerationSettings Clone()
    {
        var copy = (GenerationSettings)MemberwiseClone();
        copy.LogitBias = new Dictionary<int, float>(LogitBias ?? []);
        copy.BadWordsIds = (BadWordsIds ?? []).Select(s => (int[])s.Clone()).ToList();
        copy.Stop = [.. Stop ?? []];
        copy.EosTokenIds = [.. EosTokenIds ?? []];
        copy.Watermark = Watermark?.Clone();
        return copy;
    }
}
