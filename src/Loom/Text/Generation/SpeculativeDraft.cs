using Loom.Core;
using Loom.Models.Language;
using Loom.Text.Tokenizers;

namespace Loom.Text.Generation;

/// <summary>
/// The draft half of speculative decoding (Leviathan et al. 2023; Chen et al. 2023): a smaller model over the same
/// tokenizer that proposes <see cref="Tokens"/> tokens per round, which the target then checks in one forward pass.
/// Set it on <see cref="TextGenerator.Draft"/>. <see cref="Tokenizer"/>, when given, must equal the target's.
/// </summary>
public sealed record SpeculativeDraft(ICausalLanguageModel Model, int Tokens = 4, ITokenizer? Tokenizer = null)
{
    /// <summary>Throws naming <c>Draft</c> or <c>DraftTokens</c> when this draft cannot serve <paramref name="target"/>.</summary>
    public void Validate(ICausalLanguageModel target, ITokenizer targetTokenizer)
    {
        ArgumentNullException.ThrowIfNull(Model);
        if (Tokens < 1)
            throw LoomUsageException.ForOption("DraftTokens", $"must be at least 1 (got {Tokens})");
        if (Model.VocabSize != target.VocabSize)
            throw LoomUsageException.ForOption("Draft", $"its vocabulary has {Model.VocabSize} tokens, the model's {target.VocabSize}; "
                + "speculative decoding needs the same tokenizer");
        if (Tokenizer is not null && !TokenizerIdentity.Same(Tokenizer, targetTokenizer))
            throw LoomUsageException.ForOption("Draft", $"its tokenizer ({TokenizerIdentity.Describe(Tokenizer)}) differs from the "
                + $"model's ({TokenizerIdentity.Describe(targetTokenizer)}); speculative decoding needs the same tokenizer");
    }
}

/// <summary>
/// What speculative decoding did for one output: rounds run, tokens the draft proposed, and how many of them the target
/// accepted. Each round also emits one token of the target's own (a correction or the bonus token).
/// </summary>
public sealed record SpeculationStats(int DraftTokens, long Rounds, long Drafted, long Accepted)
{
    /// <summary>Accepted ÷ drafted (0 when nothing was drafted).</summary>
    public double AcceptanceRate => Drafted == 0 ? 0 : (double)Accepted / Drafted;

    /// <summary>Tokens emitted per target forward pass.</summary>
    public double TokensPerRound => Rounds == 0 ? 0 : (double)(Accepted + Rounds) / Rounds;
}
