using Loom.Text.Watermarks;

namespace Loom.Text.Decoding;

public sealed partial class GenerationSettings
{
    /// <summary>
    /// Validates the settings, then builds the processors they ask for, in Hugging Face's order: logit bias, repetition
    /// penalty, frequency and presence penalties, no-repeat n-grams, bad words, minimum new tokens; the watermark (δ added to
    /// green logits before any warper, as Kirchenbauer et al. do, so greedy and beam search are watermarked too); then, only when
    /// <see cref="DoSample"/>: temperature, top-k, top-p, min-p, typical-p. Settings at their "off" value add nothing.
    /// </summary>
    /// <param name="promptLength">Positions of <c>inputIds</c> that hold the (padded) prompt: frequency and presence
    /// penalties count only the tokens after it, and min_new_tokens counts from it.</param>
    public LogitsProcessorChain BuildProcessors(int promptLength)
    {
        Validate();
        if (promptLength < 0)
            throw new Loom.Core.LoomUsageException($"prompt length must not be negative (got {promptLength})");
        var chain = new LogitsProcessorChain();
        if (LogitBias.Count > 0)
            chain.Add(new LogitBiasProcessor(LogitBias));
        if (RepetitionPenalty != 1.0)
            chain.Add(new RepetitionPenaltyProcessor(RepetitionPenalty, PadTokenId));
        if (FrequencyPenalty != 0)
            chain.Add(new FrequencyPenaltyProcessor(FrequencyPenalty, promptLength, PadTokenId));
        if (PresencePenalty != 0)
            chain.Add(new PresencePenaltyProcessor(PresencePenalty, promptLength, PadTokenId));
        if (NoRepeatNGramSize > 0)
            chain.Add(new NoRepeatNGramProcessor(NoRepeatNGramSize, PadTokenId));
        if (BadWordsIds.Count > 0)
            chain.Add(new BadWordsProcessor(BadWordsIds));
        if (MinNewTokens > 0 && EosTokenIds.Count > 0)
            chain.Add(new MinNewTokensProcessor(promptLength, MinNewTokens, EosTokenIds));
        if (Watermark is { Delta: > 0 } watermark)
            chain.Add(new WatermarkProcessor(watermark));
        if (!DoSample)
            return chain;
        if (Temperature != 1.0)
            chain.Add(new TemperatureProcessor(Temperature));
        if (TopK > 0)
            chain.Add(new TopKProcessor(TopK));
        if (TopP < 1.0)
            chain.Add(new TopPProcessor(TopP));
        if (MinP > 0)
            chain.Add(new MinPProcessor(MinP));
        if (TypicalP < 1.0)
            chain.Add(new TypicalProcessor(TypicalP));
        return chain;
    }
}
