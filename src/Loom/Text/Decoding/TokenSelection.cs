using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// The tokens <see cref="TokenSelector"/> chose for one step, with log-probabilities. Owns its tensors: dispose it.
/// </summary>
public sealed class TokenSelection : IDisposable
{
    internal TokenSelection(Tensor tokens, Tensor logProbs, Tensor? topTokens, Tensor? topLogProbs)
    {
        Tokens = tokens;
        LogProbs = logProbs;
        TopTokens = topTokens;
        TopLogProbs = topLogProbs;
    }

    /// <summary>[B] int64: the chosen token of each row.</summary>
    public Tensor Tokens { get; }

    /// <summary>[B]: the log-probability of each chosen token.</summary>
    public Tensor LogProbs { get; }

    /// <summary>[B, n] int64: the n most likely tokens of each row, best first; null when no alternatives were asked for.</summary>
    public Tensor? TopTokens { get; }

    /// <summary>[B, n]: the log-probabilities of <see cref="TopTokens"/>; null when no alternatives were asked for.</summary>
    public Tensor? TopLogProbs { get; }

    public void Dispose()
    {
        Tokens.Dispose();
        LogProbs.Dispose();
        TopTokens?.Dispose();
        TopLogProbs?.Dispose();
    }
}
