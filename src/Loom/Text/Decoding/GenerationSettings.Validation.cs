using Loom.Core;

namespace Loom.Text.Decoding;

public sealed partial class GenerationSettings
{
    /// <summary>Throws <see cref="LoomUsageException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        Require(MaxNewTokens >= 1, $"max_new_tokens must be at least 1 (got {MaxNewTokens})");
        Require(MinNewTokens >= 0 && MinNewTokens <= MaxNewTokens,
            $"min_new_tokens must be in [0, max_new_tokens = {MaxNewTokens}] (got {MinNewTokens})");
        Require(Temperature > 0 && double.IsFinite(Temperature), $"temperature must be a finite number > 0 (got {Temperature})");
        Require(TopK >= 0, $"top_k must not be negative (got {TopK}); 0 turns it off");
        Require(TopP > 0 && TopP <= 1, $"top_p must be in (0, 1] (got {TopP}); 1 turns it off");
        Require(MinP >= 0 && MinP <= 1, $"min_p must be in [0, 1] (got {MinP}); 0 turns it off");
        Require(TypicalP > 0 && TypicalP <= 1, $"typical_p must be in (0, 1] (got {TypicalP}); 1 turns it off");
        Require(RepetitionPenalty > 0 && double.IsFinite(RepetitionPenalty),
            $"repetition_penalty must be a finite number > 0 (got {RepetitionPenalty}); 1 turns it off");
        Require(double.IsFinite(FrequencyPenalty), $"frequency_penalty must be a finite number (got {FrequencyPenalty})");
        Require(double.IsFinite(PresencePenalty), $"presence_penalty must be a finite number (got {PresencePenalty})");
        Require(NoRepeatNGramSize >= 0, $"no_repeat_ngram_size must not be negative (got {NoRepeatNGramSize}); 0 turns it off");

        Require(LogitBias is not null, "logit_bias must be an object (got null)");
        foreach (var (token, bias) in LogitBias!)
        {
            Require(token >= 0, $"logit_bias names token {token}; token ids must not be negative");
            Require(!float.IsNaN(bias), $"logit_bias for token {token} is NaN");
        }
        Require(BadWordsIds is not null, "bad_words_ids must be a list (got null)");
        foreach (var sequence in BadWordsIds!)
            Require(sequence is { Length: > 0 } && sequence.All(t => t >= 0),
                "bad_words_ids entries must be non-empty lists of token ids ≥ 0");
        Require(Stop is not null && Stop.All(s => !string.IsNullOrEmpty(s)), "stop must be a list of non-empty strings");
        Require(EosTokenIds is not null && EosTokenIds.All(t => t >= 0), "eos_token_ids must be a list of token ids ≥ 0");
        Require(PadTokenId is null or >= 0, $"pad_token_id must not be negative (got {PadTokenId})");

        Require(NumBeams >= 1, $"num_beams must be at least 1 (got {NumBeams})");
        Require(!(DoSample && NumBeams > 1), "do_sample with num_beams > 1 (beam sampling) is not supported; use one or the other");
        Require(double.IsFinite(LengthPenalty), $"length_penalty must be a finite number (got {LengthPenalty})");
        Require(Logprobs >= 0, $"logprobs must not be negative (got {Logprobs}); 0 turns it off");
        Watermark?.Validate();
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
            throw new LoomUsageException(message);
    }
}
